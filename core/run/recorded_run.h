#pragma once
// The recorded data of one run, as every consumer holds it: loaded from a run file, grown by live telemetry
// (a run training in this process) or by follow-up reads of a file another process writes. One model behind
// the app's RunData (gui/session/run_data.h), its live follower and the figure input, so the three cannot
// drift apart. Plain data, Qt-free; not thread-safe (one owner thread).
#include "core/data/tokenizer.h"
#include "core/probe/snapshot.h"
#include "core/store/run_file.h"
#include "core/store/run_reader.h"
#include "core/train/run_spec.h"
#include "core/train/telemetry.h"

#include <memory>
#include <string>
#include <vector>

namespace attnscope {

struct RecordedRun {
    RunSpec spec; // as recorded (validated by the reader)
    // Set for runs the engine did not train (RunReader::external()): their model, step total and seed come
    // from here, and what is absent there is unknown.
    std::optional<ExternalRunFacts> external;
    std::shared_ptr<const Tokenizer> tokenizer; // never null once loaded
    RunStatus status = RunStatus::Created;
    int statusStep = 0;
    std::string statusMessage; // reason; for a status this build does not know, "<name>: <reason>"

    std::vector<StepRecord> steps;      // every step, ascending
    std::vector<SnapshotPtr> snapshots; // probe snapshots, ascending (see load() for when they arrive)
    std::vector<Event> events;          // in recorded order
    std::vector<EvalRecord> evals;
    std::vector<int> checkpointSteps; // ascending; the checkpoints themselves stay in the run file

    // What an apply() changed, so a GUI notifies its views once per kind.
    struct Change {
        bool appended = false; // steps, snapshots, events, evals or checkpoints were added
        bool statusChanged = false;
        bool rewound = false; // the writer truncated the run: everything was replaced
    };

    enum class Snapshots { Decode, MetricsOnly, Skip }; // MetricsOnly: snapshots without their maps
    // Everything committed in `reader`'s file. With Snapshots::Skip the snapshot list is left empty: the
    // caller decodes them itself (off its thread; see snapshotSteps()), because decoding the maps is what
    // makes a large run slow to open. With Snapshots::MetricsOnly every snapshot is read without its maps
    // (RunReader::snapshot(step, false); mapsOnDemand is set, and later snapshots of a followed file are read
    // the same way): memory then no longer grows with the maps, and a viewer reads the maps of the step it
    // shows. A run whose status says training or paused is given as recorded; see settleInterrupted().
    static RecordedRun load(const RunReader& reader, Snapshots snapshots = Snapshots::Decode);
    bool mapsOnDemand = false;

    // A file whose writer is gone still says "training": shown as stopped at its last step.
    void settleInterrupted();

    // One message of a trainer's telemetry (CheckpointSaved is ignored: a checkpoint counts once it is in
    // the file; see RunDriver::takeRecordedCheckpoints()).
    Change apply(TelemetryMessage& message);
    // A follow-up read (RunReader::poll). On a rewind (the writer resumed from an earlier checkpoint) the
    // whole run is reloaded from `reader`. New snapshots are decoded from `reader`.
    Change apply(const RunUpdate& update, const RunReader& reader);
    void applyStatus(const StatusRecord& status);

    ModelDescription model() const { return describedModel(spec, external); }
    std::optional<int> plannedSteps() const { return attnscope::plannedSteps(spec, external); }
    std::optional<std::uint64_t> seed() const { return statedSeed(spec, external); }
    std::vector<std::string> badges() const { return runBadges(spec, external); }
    // Whether the run states a training setting (train.lr, ...): engine runs state all of them.
    bool statesTrain(const std::string& key) const { return !external || external->states(key); }

    int lastStep() const { return steps.empty() ? 0 : steps.back().step; }
    // How far the run has come: its last step record, or for a run without step records (an imported
    // checkpoint series) its last snapshot.
    int reachedStep() const {
        return steps.empty() && !snapshots.empty() ? snapshots.back()->step : lastStep();
    }
    SnapshotPtr latestSnapshot() const { return snapshots.empty() ? nullptr : snapshots.back(); }
    // The snapshot recorded at or before `step` (the first one if none is that early); null when none.
    SnapshotPtr snapshotAt(int step) const;
};

} // namespace attnscope
