#include "core/run/recorded_run.h"

#include "core/store/run_reader.h"

#include <algorithm>
#include <type_traits>
#include <variant>

namespace attnscope {

RecordedRun RecordedRun::load(const RunReader& reader, Snapshots snapshots) {
    RecordedRun run;
    run.spec = reader.spec();
    run.external = reader.external();
    run.tokenizer = std::make_shared<Tokenizer>(Tokenizer::fromJson(reader.header().tokenizerJson));
    run.steps = reader.steps();
    if (snapshots != Snapshots::Skip)
        for (int step : reader.snapshotSteps())
            if (SnapshotPtr s = reader.snapshot(step, snapshots == Snapshots::Decode))
                run.snapshots.push_back(std::move(s));
    run.events = reader.events();
    run.evals = reader.evals();
    run.checkpointSteps = reader.checkpointSteps();
    run.applyStatus(reader.status());
    return run;
}

void RecordedRun::settleInterrupted() {
    if (status == RunStatus::Training || status == RunStatus::Paused) {
        status = RunStatus::Stopped;
        statusStep = lastStep();
    }
}

void RecordedRun::applyStatus(const StatusRecord& s) {
    status = s.status;
    statusStep = s.step;
    statusMessage = s.status == RunStatus::Unknown
                        ? s.statusName() + (s.message.empty() ? "" : ": " + s.message)
                        : s.message;
}

RecordedRun::Change RecordedRun::apply(TelemetryMessage& message) {
    Change change;
    std::visit(
        [&](auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, StepRecord>) {
                steps.push_back(m);
                change.appended = true;
            } else if constexpr (std::is_same_v<T, SnapshotPtr>) {
                if (m) snapshots.push_back(std::move(m));
                change.appended = true;
            } else if constexpr (std::is_same_v<T, Event>) {
                events.push_back(std::move(m));
                change.appended = true;
            } else if constexpr (std::is_same_v<T, EvalRecord>) {
                evals.push_back(std::move(m));
                change.appended = true;
            } else if constexpr (std::is_same_v<T, StatusChange>) {
                status = m.status;
                statusStep = m.step;
                statusMessage = m.message;
                change.statusChanged = true;
            }
        },
        message);
    return change;
}

RecordedRun::Change RecordedRun::apply(const RunUpdate& update, const RunReader& reader) {
    Change change;
    if (update.rewound) {
        // The writer resumed from an earlier checkpoint: the file holds the whole run again.
        const RunStatus keptStatus = status;
        *this = load(reader);
        if (update.statusChanges.empty()) status = keptStatus;
        change.rewound = change.appended = true;
    } else {
        // Records already held (read at load time, before the follower's first poll) are skipped.
        for (const StepRecord& r : update.steps)
            if (r.step > lastStep()) steps.push_back(r);
        for (int step : update.snapshotSteps)
            if (snapshots.empty() || step > snapshots.back()->step)
                if (SnapshotPtr s = reader.snapshot(step)) snapshots.push_back(std::move(s));
        for (const Event& e : update.events)
            if (std::none_of(events.begin(), events.end(), [&](const Event& o) {
                    return o.step == e.step && o.kind == e.kind && o.message == e.message;
                }))
                events.push_back(e);
        evals.insert(evals.end(), update.evals.begin(), update.evals.end());
        for (int step : update.checkpointSteps)
            if (checkpointSteps.empty() || step > checkpointSteps.back()) checkpointSteps.push_back(step);
        change.appended = !update.empty();
    }
    if (!update.statusChanges.empty()) {
        applyStatus(update.statusChanges.back());
        change.statusChanged = true;
    }
    return change;
}

SnapshotPtr RecordedRun::snapshotAt(int step) const {
    const int index = snapshotIndexAt(snapshots, step);
    return index < 0 ? nullptr : snapshots[std::size_t(index)];
}

} // namespace attnscope
