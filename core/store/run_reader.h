#pragma once
// Reads an .attnrun file, also while another connection or process is writing it: every call reads the
// latest committed state, so a GUI follows a live run by calling poll() on a timer. Not thread-safe: use
// one RunReader per thread.
#include "core/model/model_description.h"
#include "core/store/run_file.h"
#include "core/train/run_spec.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace attnscope {

// What a run the engine did not train (the Python Recorder's, an import's) states about itself. Its spec
// holds engine defaults for everything it does not name, so readers take the model from `model` and show a
// step total or a seed only when the recorder gave one.
struct ExternalRunFacts {
    ModelDescription model;
    std::optional<int> plannedSteps;
    std::optional<std::uint64_t> seed;
    std::vector<std::string> statedTrainKeys; // the spec's train keys the recorder gave ("lr", "batch", ...)
    bool states(const std::string& trainKey) const;
};

// The model, step total and seed a reader shows: `external`'s when the run was recorded outside the engine,
// else the engine's spec.
ModelDescription describedModel(const RunSpec& spec, const std::optional<ExternalRunFacts>& external);
std::optional<int> plannedSteps(const RunSpec& spec, const std::optional<ExternalRunFacts>& external);
std::optional<std::uint64_t> statedSeed(const RunSpec& spec, const std::optional<ExternalRunFacts>& external);
// Mechanism badges: the engine's (ModelConfig::mechanismBadges) or the recorded model's.
std::vector<std::string> runBadges(const RunSpec& spec, const std::optional<ExternalRunFacts>& external);

namespace sqlite {
class Database;
}

// Where a follower has read up to. Start with a default-constructed cursor (steps may start at 0).
struct RunCursor {
    int step = std::numeric_limits<int>::min();
    int snapshotStep = std::numeric_limits<int>::min();
    int checkpointStep = std::numeric_limits<int>::min();
    std::int64_t eventId = 0, evalId = 0, statusId = 0;
    std::int64_t rewinds = 0;
};

// What was committed since a cursor. When `rewound` is true the writer truncated the run (resume from
// an earlier checkpoint): the update then holds the whole run again and the follower should replace,
// not append.
struct RunUpdate {
    bool rewound = false;
    std::vector<StepRecord> steps;
    std::vector<int> snapshotSteps;
    std::vector<int> checkpointSteps;
    std::vector<Event> events;
    std::vector<EvalRecord> evals;
    std::vector<StatusRecord> statusChanges;
    bool empty() const;
};

class RunReader {
public:
    // Opens read-only. Throws attnscope::Error with a user-facing sentence if the file is missing, empty,
    // not a SQLite database, a SQLite database of another program, written by a newer AttnScope, or damaged
    // — including a stored configuration that does not parse or fails validation (heads = 0, …), which
    // every consumer would otherwise trust when it sizes maps and layouts.
    explicit RunReader(const std::string& path);
    RunReader(RunReader&&) noexcept;
    RunReader& operator=(RunReader&&) noexcept;
    ~RunReader();

    const std::string& path() const { return m_path; }
    const RunHeader& header() const { return m_header; }
    const RunSpec& spec() const { return m_spec; } // the header's configuration, parsed and validated
    // Set for runs the engine did not train: a header with a model_json from a recorder or import, or a
    // file written by the Python package before schema 3. Their spec's model section then carries the shape
    // the run recorded (layers, heads, d_model, context, vocab where known) and is not held to the engine's
    // limits: any combination of layers, heads and head dim opens.
    const std::optional<ExternalRunFacts>& external() const { return m_external; }
    ModelDescription model() const { return describedModel(m_spec, m_external); }
    int schemaVersion() const { return m_schemaVersion; }
    // A meta value ("" when absent): e.g. "writer", and a fork's "parent_run" and "parent_step".
    std::string meta(const std::string& key) const;

    // All reads throw attnscope::Error when the file turns out to be damaged.
    std::vector<StepRecord> steps() const; // ordered by step
    std::vector<StepRecord> stepsAfter(int step) const;
    std::vector<int> snapshotSteps() const;
    std::vector<int> snapshotStepsAfter(int step) const;
    // nullptr when no snapshot has that step. Without `maps` its attention and logit maps are left empty
    // (not decoded): what curve views need, at a fraction of the time and memory.
    SnapshotPtr snapshot(int step, bool maps = true) const;
    std::vector<Event> events() const; // in the order they were written
    std::vector<EvalRecord> evals() const;
    std::vector<int> checkpointSteps() const;
    // Throws if there is no checkpoint at `step` or its bytes fail their CRC-32.
    std::vector<std::uint8_t> checkpoint(int step) const;
    StatusRecord status() const; // the latest status change
    std::vector<StatusRecord> statusHistory() const;

    // Everything committed since `cursor`, read in one transaction (a consistent view); advances it.
    RunUpdate poll(RunCursor& cursor) const;

    // Whether a writer (this or another process) holds the file's writer lock now. A file whose status
    // says "training" without one was interrupted: its writer was killed or crashed.
    bool hasLiveWriter() const;

    // SQLite's PRAGMA quick_check over the whole file (slow for big runs, so not done on open). Returns
    // the problems found; empty when the file is sound.
    std::vector<std::string> verify() const;

private:
    std::string m_path;
    // Replaced by poll() when a file read as immutable (nobody had it open) gains a writer.
    mutable std::unique_ptr<sqlite::Database> m_db;
    int m_schemaVersion = 0;
    RunHeader m_header;
    RunSpec m_spec;
    std::optional<ExternalRunFacts> m_external;
    // A writer adds the column when it resumes a schema-1 file; that resume rewinds, and poll() looks again.
    mutable bool m_hasCeLoss = false;
};

} // namespace attnscope
