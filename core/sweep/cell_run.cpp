#include "core/sweep/cell_run.h"

#include "core/data/token_source.h"
#include "core/store/run_reader.h"
#include "core/store/run_recorder.h"
#include "core/store/run_writer.h"
#include "core/train/checkpoint.h"
#include "core/train/trainer.h"
#include "core/util/error.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
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

RunHeader headerFor(const Trainer& trainer) {
    RunHeader header;
    const RunSpec& spec = trainer.spec();
    header.specJson = toJson(spec).dump();
    header.corpusName = trainer.data().name();
    header.corpusHash = trainer.data().contentHash();
    header.tokenizerJson = trainer.data().tokenizer().toJson();
    header.probeTokens = trainer.probeTokens();
    header.probeText = spec.data.probeText;
    header.description = spec.description;
    return header;
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

    RunSpec run = spec;
    run.train.threads = threads;
    std::unique_ptr<Trainer> trainer;
    std::optional<RunWriter> writer;
    if (inspection.kind == CellInspection::Resume) {
        std::vector<std::uint8_t> checkpoint;
        std::string corpusHash;
        {
            RunReader reader(path); // closed before the writer opens the file
            checkpoint = reader.checkpoint(inspection.fromStep);
            corpusHash = reader.header().corpusHash;
        }
        trainer = std::make_unique<Trainer>(run);
        if (trainer->data().contentHash() != corpusHash)
            throw Error("The data of " + path + " (" + trainer->data().name() +
                        ") changed since the cell was started; resuming would train on different data.");
        trainer->restore(checkpoint);
        writer.emplace(RunWriter::openForAppend(path));
        writer->truncateAfter(
            inspection.fromStep); // the steps after the checkpoint are redone bit-identically
        writer->appendEvent(
            Event{inspection.fromStep, EventKind::Note,
                  "sweep resumed from the checkpoint of step " + std::to_string(inspection.fromStep)});
    } else {
        trainer = std::make_unique<Trainer>(run);
        writer.emplace(RunWriter::create(path, headerFor(*trainer), RunWriter::IfExists::Overwrite));
    }

    RunRecorder recorder(trainer->bus().subscribe(), std::move(*writer));
    auto watch = trainer->bus().subscribe();
    std::atomic<bool> done{false};
    std::string failure;
    std::thread worker([&] {
        try {
            trainer->run();
        } catch (const std::exception& e) {
            failure = e.what();
        } catch (...) {
            failure = "unknown error";
        }
        if (!failure.empty())
            trainer->bus().publish(StatusChange{RunStatus::Failed, trainer->step(), failure});
        done = true;
    });
    StatusChange last;
    std::vector<TelemetryMessage> messages;
    bool stopRequested = false;
    for (;;) {
        const bool finished = done.load(); // read before draining: the last pass sees every message
        if (cancel.load() && !stopRequested) trainer->requestStop(), stopRequested = true;
        recorder.pump();
        messages.clear();
        watch->drain(messages);
        for (const TelemetryMessage& m : messages) {
            if (const auto* r = std::get_if<StepRecord>(&m)) {
                if (onStep) onStep(r->step, r->loss);
            } else if (const auto* s = std::get_if<StatusChange>(&m))
                last = *s;
        }
        if (finished) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    worker.join();
    for (int attempt = 0; attempt < 5 && (!recorder.healthy() || recorder.pendingMessages() > 0); ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        recorder.pump();
    }
    if (!recorder.healthy())
        return {RunStatus::Failed, last.step, "the run could not be saved: " + recorder.error()};
    return {last.status, last.step, last.message.empty() ? failure : last.message};
}

} // namespace attnscope
