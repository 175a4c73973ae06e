#pragma once
// Reads an .attnrun file, also while another connection or process is writing it: every call reads the
// latest committed state, so a GUI follows a live run by calling poll() on a timer. Not thread-safe: use
// one RunReader per thread.
#include "core/store/run_file.h"
#include "core/train/run_spec.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace attnscope {

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
    int schemaVersion() const { return m_schemaVersion; }
    // A meta value ("" when absent): e.g. "writer", and a fork's "parent_run" and "parent_step".
    std::string meta(const std::string& key) const;

    // All reads throw attnscope::Error when the file turns out to be damaged.
    std::vector<StepRecord> steps() const; // ordered by step
    std::vector<StepRecord> stepsAfter(int step) const;
    std::vector<int> snapshotSteps() const;
    std::vector<int> snapshotStepsAfter(int step) const;
    SnapshotPtr snapshot(int step) const; // nullptr when no snapshot has that step
    // The same without the attention and logit maps (not even read from disk): every metric, profile and
    // scalar, at a few hundred bytes per head instead of T² values; mapsOmitted is set.
    SnapshotPtr snapshotWithoutMaps(int step) const;
    std::vector<Event> events() const;    // in the order they were written
    std::vector<EvalRecord> evals() const;
    std::vector<int> checkpointSteps() const;
    // Throws if there is no checkpoint at `step` or its bytes fail their CRC-32.
    std::vector<std::uint8_t> checkpoint(int step) const;
    StatusRecord status() const; // the latest status change
    std::vector<StatusRecord> statusHistory() const;

    // Everything committed since `cursor`, read in one transaction (a consistent view); advances it.
    RunUpdate poll(RunCursor& cursor) const;

    // SQLite's PRAGMA quick_check over the whole file (slow for big runs, so not done on open). Returns
    // the problems found; empty when the file is sound.
    std::vector<std::string> verify() const;

private:
    SnapshotPtr readSnapshot(int step, bool maps) const;
    std::string m_path;
    std::unique_ptr<sqlite::Database> m_db;
    int m_schemaVersion = 0;
    RunHeader m_header;
    RunSpec m_spec;
    // A writer adds the column when it resumes a schema-1 file; that resume rewinds, and poll() looks again.
    mutable bool m_hasCeLoss = false;
};

} // namespace attnscope
