#include "core/sweep/cell_run.h"

#include "core/run/run_driver.h"
#include "core/store/run_reader.h"
#include "core/util/error.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

namespace attnscope {

namespace {

// The settings that decide the numbers: everything but the thread count (losses do not depend on it) and the
// vocabulary size (the trainer sets it from the data's tokenizer, which the data settings already fix).
nlohmann::json numbersOf(const RunSpec& spec) {
    nlohmann::json j = toJson(spec);
    j["train"].erase("threads");
    j["model"].erase("vocab");
    return j;
}

} // namespace

CellInspection inspectCell(const std::string& path, const RunSpec& spec) {
    CellInspection out;
    if (!std::filesystem::exists(path)) return out;
    std::vector<StepRecord> steps;
    std::vector<int> checkpoints;
    StatusRecord status;
    try {
        RunReader reader(path);
        RunSpec recorded;
        try {
            recorded = runSpecFromJson(nlohmann::json::parse(reader.header().specJson));
        } catch (const std::exception&) {
            out.reason = "its header does not parse";
            return out;
        }
        if (numbersOf(recorded) != numbersOf(spec))
            throw Error(path + " holds a run with other settings than this sweep's cell " + spec.name +
                        " (another sweep, or the sweep was edited); move it away or use another folder.");
        steps = reader.steps();
        checkpoints = reader.checkpointSteps();
        status = reader.status();
    } catch (const Error& e) {
        if (std::string(e.what()).find("other settings") != std::string::npos) throw;
        // Killed while the file was being created: nothing worth keeping.
        out.reason = std::string("unreadable (") + e.what() + ")";
        return out;
    }
    const int done = steps.empty() ? 0 : steps.back().step;
    if (status.status == RunStatus::Diverged ||
        (status.status == RunStatus::Finished && done >= spec.train.steps)) {
        out.kind = CellInspection::Complete;
        out.fromStep = done;
        out.status = status.status;
        return out;
    }
    if (checkpoints.empty()) {
        out.reason = "stopped before its first checkpoint";
        return out;
    }
    out.kind = CellInspection::Resume;
    out.fromStep = checkpoints.back();
    return out;
}

CellRunResult runCell(const std::string& path, const RunSpec& spec, int threads,
                      const std::atomic<bool>& cancel, const std::function<void(int, double)>& onStep) {
    const CellInspection inspection = inspectCell(path, spec);
    if (inspection.kind == CellInspection::Complete)
        return {inspection.status, inspection.fromStep, "already complete"};

    std::unique_ptr<RunDriver> driver;
    if (inspection.kind == CellInspection::Resume) {
        // Same file: restores the checkpoint, deletes the records after it (redone bit-identically), notes
        // it.
        RunDriver::ContinueOptions options;
        options.fromStep = inspection.fromStep;
        options.threads = threads;
        driver = RunDriver::continueRun(path, options);
    } else {
        RunSpec run = spec;
        run.train.threads = threads;
        driver = RunDriver::create(run);
        driver->recordTo(path, /*overwrite=*/true); // a file without a checkpoint holds nothing worth keeping
    }
    auto watch = driver->bus().subscribe(kFrontEndPendingBulky); // before start(): no step is missed
    driver->start();
    std::vector<TelemetryMessage> messages;
    bool stopRequested = false;
    for (;;) {
        const bool finished = driver->finished(); // read before draining: the last pass sees every message
        if (cancel.load() && !stopRequested) driver->requestStop(), stopRequested = true;
        messages.clear();
        watch->drain(messages);
        if (onStep)
            for (const TelemetryMessage& m : messages)
                if (const auto* r = std::get_if<StepRecord>(&m)) onStep(r->step, r->loss);
        if (finished) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const RunOutcome outcome = driver->wait();
    if (!outcome.recordingError.empty())
        return {RunStatus::Failed, outcome.step,
                "the run could not be saved completely: " + outcome.recordingError};
    return {outcome.status, outcome.step, outcome.message};
}

} // namespace attnscope
