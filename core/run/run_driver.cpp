#include "core/run/run_driver.h"

#include "core/data/token_source.h"
#include "core/model/param_layout.h"
#include "core/store/run_reader.h"
#include "core/store/run_recorder.h"
#include "core/store/run_writer.h"
#include "core/store/writer_lock.h"
#include "core/train/checkpoint.h"
#include "core/train/trainer.h"
#include "core/util/error.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

namespace attnscope {

namespace {

// After the trainer returns, a write that keeps failing (disk momentarily full) gets this many more tries.
constexpr int kFinalFlushAttempts = 5;
constexpr auto kFinalFlushPause = std::chrono::milliseconds(200);

std::string listSteps(const std::vector<int>& steps) {
    std::string s;
    for (std::size_t i = 0; i < steps.size(); ++i) s += (i ? ", " : "") + std::to_string(steps[i]);
    return s;
}

// A checkpoint of `path` chosen by `wanted` (default the latest), with the facts a continue or fork needs.
struct Origin {
    int step = 0;
    std::vector<std::uint8_t> checkpoint;
    std::string corpusHash;
    StatusRecord status;
};

Origin readOrigin(const std::string& path, std::optional<int> wanted) {
    RunReader reader(path); // closed before anyone opens the file for writing
    const std::vector<int> steps = reader.checkpointSteps();
    Origin o;
    o.status = reader.status();
    if (steps.empty()) {
        if (o.status.status == RunStatus::Diverged)
            throw Error(path + " diverged at step " + std::to_string(o.status.step) +
                        " before its first checkpoint; there is nothing to continue from.");
        throw Error(path + " has no checkpoint to continue from (it was interrupted before its first one).");
    }
    o.step = steps.back();
    if (wanted) {
        if (std::find(steps.begin(), steps.end(), *wanted) == steps.end())
            throw Error(path + " has no checkpoint at step " + std::to_string(*wanted) +
                        "; its checkpoints are at steps " + listSteps(steps) + ".");
        o.step = *wanted;
    }
    o.checkpoint = reader.checkpoint(o.step);
    o.corpusHash = reader.header().corpusHash;
    return o;
}

void checkSameData(const Trainer& trainer, const std::string& path, const std::string& recordedHash) {
    if (trainer.data().contentHash() != recordedHash)
        throw Error("The data of " + path + " (" + trainer.data().name() +
                    ") changed since the run was recorded (hash " + recordedHash + ", now " +
                    trainer.data().contentHash() + "); training on would use different data.");
}

// The first difference between two parameter layouts, or "" when a checkpoint of one fits the other.
std::string layoutDifference(const ModelConfig& a, const ModelConfig& b) {
    const ParamLayout la(a), lb(b);
    for (std::size_t i = 0; i < std::max(la.tensors.size(), lb.tensors.size()); ++i) {
        if (i >= la.tensors.size()) return "the new settings add the parameter " + lb.tensors[i].name;
        if (i >= lb.tensors.size()) return "the new settings remove the parameter " + la.tensors[i].name;
        const TensorInfo &x = la.tensors[i], &y = lb.tensors[i];
        if (x.name != y.name) return "parameter " + x.name + " becomes " + y.name;
        if (x.rows != y.rows || x.cols != y.cols)
            return "parameter " + x.name + " changes shape from " + std::to_string(x.rows) + "×" +
                   std::to_string(x.cols) + " to " + std::to_string(y.rows) + "×" + std::to_string(y.cols);
    }
    if (la.sigmaGroups.size() != lb.sigmaGroups.size()) return "the σReparam groups change";
    for (std::size_t g = 0; g < la.sigmaGroups.size(); ++g)
        if (la.sigmaGroups[g].name != lb.sigmaGroups[g].name ||
            la.sigmaGroups[g].cols != lb.sigmaGroups[g].cols)
            return "the σReparam group " + la.sigmaGroups[g].name + " changes";
    return {};
}

} // namespace

RunHeader runHeaderFor(const Trainer& trainer) {
    RunHeader header;
    header.specJson = toJson(trainer.spec()).dump(); // the spec as used (vocabulary from the data)
    header.corpusName = trainer.data().name();
    header.corpusHash = trainer.data().contentHash();
    header.tokenizerJson = trainer.data().tokenizer().toJson();
    header.probeTokens = trainer.probeTokens();
    header.probeText = trainer.spec().data.probeText;
    header.description = trainer.spec().description;
    return header;
}

RunDriver::RunDriver(std::unique_ptr<Trainer> trainer) : m_trainer(std::move(trainer)) {}

RunDriver::~RunDriver() {
    joinAll(/*stop=*/true);
}

std::unique_ptr<RunDriver> RunDriver::create(const RunSpec& spec) {
    return std::unique_ptr<RunDriver>(new RunDriver(std::make_unique<Trainer>(spec)));
}

void RunDriver::attachWriter(RunWriter writer) {
    m_path = writer.path();
    // Subscribed now, before the trainer can publish: the file misses nothing.
    m_recorder = std::make_unique<RunRecorder>(m_trainer->bus().subscribe(), std::move(writer));
}

void RunDriver::recordTo(const std::string& path, bool overwrite) {
    if (m_started || m_recorder) throw Error("The run is already being recorded to " + m_path + ".");
    attachWriter(RunWriter::create(path, runHeaderFor(*m_trainer),
                                   overwrite ? RunWriter::IfExists::Overwrite : RunWriter::IfExists::Fail));
}

std::unique_ptr<RunDriver> RunDriver::continueRun(const std::string& path, const ContinueOptions& options) {
    WriterLock::checkNotHeld(path); // before any slow work (openForAppend takes the lock below)
    Origin origin = readOrigin(path, options.fromStep);
    // The checkpoint's spec, not the header's: it carries the step count of an earlier extension.
    RunSpec spec = checkpointSpec(origin.checkpoint);
    const int previousTotal = spec.train.steps;
    if (options.steps) {
        if (*options.steps <= origin.step)
            throw Error("The new step count " + std::to_string(*options.steps) +
                        " is not beyond the checkpoint's step " + std::to_string(origin.step) + ".");
        spec.train.steps = *options.steps;
    }
    if (options.threads) spec.train.threads = *options.threads;
    if (origin.step >= spec.train.steps)
        throw RunComplete(path + " already has all " + std::to_string(spec.train.steps) +
                          " steps; give a larger step count to train further.");

    auto driver = std::unique_ptr<RunDriver>(new RunDriver(std::make_unique<Trainer>(spec)));
    checkSameData(*driver->m_trainer, path, origin.corpusHash);
    driver->m_trainer->restore(origin.checkpoint);
    driver->m_startStep = origin.step;
    if (origin.status.status == RunStatus::Diverged)
        // Training is deterministic: the same settings from an earlier checkpoint diverge again.
        driver->m_notices.push_back(path + " diverged at step " + std::to_string(origin.status.step) +
                                    "; continuing from step " + std::to_string(origin.step) +
                                    " with the same settings will diverge at the same step again.");

    RunWriter writer = RunWriter::openForAppend(path);
    writer.truncateAfter(origin.step); // steps after the checkpoint are redone, bit-identically
    std::string note = "resumed from the checkpoint of step " + std::to_string(origin.step);
    if (spec.train.steps != previousTotal)
        note += "; steps extended from " + std::to_string(previousTotal) + " to " +
                std::to_string(spec.train.steps);
    writer.appendEvent(Event{origin.step, EventKind::Note, note});
    driver->attachWriter(std::move(writer));
    return driver;
}

std::unique_ptr<RunDriver> RunDriver::fork(const std::string& parentPath, const ForkOptions& options,
                                           const std::function<void(RunSpec&)>& change) {
    if (options.childPath.empty()) throw Error("A fork needs a file name for the new run.");
    Origin origin = readOrigin(parentPath, options.fromStep);
    const RunSpec parentSpec = checkpointSpec(origin.checkpoint);
    RunSpec spec = parentSpec;
    if (change) change(spec);
    if (spec.train.steps <= origin.step)
        throw Error("The fork's step count " + std::to_string(spec.train.steps) +
                    " is not beyond the checkpoint's step " + std::to_string(origin.step) + ".");

    auto driver = std::unique_ptr<RunDriver>(new RunDriver(std::make_unique<Trainer>(spec)));
    Trainer& trainer = *driver->m_trainer;
    // Both specs as used: the checkpoint stores the parent's with its vocabulary from the data.
    if (const std::string diff = layoutDifference(parentSpec.model, trainer.spec().model); !diff.empty())
        throw Error("Cannot fork " + parentPath + " with these settings: " + diff +
                    ", so the checkpoint of step " + std::to_string(origin.step) +
                    " does not fit. Only settings that keep the parameters can change in a fork (learning "
                    "rate, schedule, batch, steps, regularisation, recording); start a new run otherwise.");
    // The checkpoint holds the optimiser's state (AdamW's two moments, or SGD's momentum buffer): another
    // optimiser would start from state it cannot read.
    if (spec.train.optimizer != parentSpec.train.optimizer)
        throw Error("Cannot fork " + parentPath + " with these settings: the optimiser changes from " +
                    toString(parentSpec.train.optimizer) + " to " + toString(spec.train.optimizer) +
                    ", and the checkpoint of step " + std::to_string(origin.step) + " holds " +
                    toString(parentSpec.train.optimizer) +
                    "'s state, which the other cannot continue from; start a new run otherwise.");
    checkSameData(trainer, parentPath, origin.corpusHash);
    trainer.restore(origin.checkpoint);
    driver->m_startStep = origin.step;

    RunWriter writer =
        RunWriter::create(options.childPath, runHeaderFor(trainer),
                          options.overwrite ? RunWriter::IfExists::Overwrite : RunWriter::IfExists::Fail);
    writer.setMeta("parent_run", parentPath);
    writer.setMeta("parent_step", std::to_string(origin.step));
    // The child starts with the state it forks from: continuable from its first step, with a snapshot to
    // compare against its parent's.
    writer.saveCheckpoint(origin.step, trainer.checkpoint());
    if (SnapshotPtr start = trainer.snapshot(trainer.probeTokens())) writer.appendSnapshot(*start);
    const std::string note =
        "forked from " + parentPath + " at the checkpoint of step " + std::to_string(origin.step);
    writer.appendEvent(Event{origin.step, EventKind::Note, note});
    driver->attachWriter(std::move(writer));
    return driver;
}

const RunSpec& RunDriver::spec() const {
    return m_trainer->spec();
}

TelemetryBus& RunDriver::bus() {
    return m_trainer->bus();
}

void RunDriver::start() {
    if (m_started) return;
    m_started = true;
    m_trainerThread = std::thread([this] { trainerThread(); });
    if (m_recorder) m_recorderThread = std::thread([this] { recorderThread(); });
}

void RunDriver::trainerThread() {
    std::string failure;
    try {
        m_trainer->run();
    } catch (const std::exception& e) {
        failure = e.what();
    } catch (...) {
        failure = "an unknown error occurred in the training thread";
    }
    if (failure.empty() &&
        (m_trainer->status() == RunStatus::Training || m_trainer->status() == RunStatus::Paused))
        failure = "the trainer returned without a final status"; // run() always publishes one; a guard
    if (!failure.empty()) {
        {
            std::lock_guard lock(m_mutex);
            m_failure = failure;
        }
        // Through the bus, so the file and every subscriber (GUI, progress line) get it like any status.
        m_trainer->bus().publish(StatusChange{RunStatus::Failed, m_trainer->step(), failure});
    }
    m_trainerDone = true;
    if (!m_recorder) m_finished = true;
}

void RunDriver::recorderThread() {
    auto publish = [this] {
        std::lock_guard lock(m_mutex);
        m_recordingError = m_recorder->error();
        m_lost = m_recorder->droppedMessages();
        for (int step : m_recorder->takeWrittenCheckpoints()) m_recordedCheckpoints.push_back(step);
    };
    for (;;) {
        // Read the flag before pumping: the pump after it sees everything the trainer published.
        const bool trainerDone = m_trainerDone.load();
        m_recorder->pump();
        publish();
        if (trainerDone) break;
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(m_recordIntervalMs);
        while (!m_trainerDone.load() && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (int attempt = 0;
         attempt < kFinalFlushAttempts && (!m_recorder->healthy() || m_recorder->pendingMessages() > 0);
         ++attempt) {
        std::this_thread::sleep_for(kFinalFlushPause);
        m_recorder->pump();
        publish();
    }
    m_finished = true;
}

void RunDriver::requestStop() {
    m_trainer->requestStop();
    m_trainer->setPaused(false); // a paused trainer must wake up to notice the stop
}

void RunDriver::setPaused(bool paused) {
    m_trainer->setPaused(paused);
}

bool RunDriver::paused() const {
    return m_trainer->paused();
}

void RunDriver::setThreads(int threads) {
    m_trainer->setThreads(threads);
}

int RunDriver::threads() const {
    return m_trainer->threads();
}

int RunDriver::step() const {
    return m_trainer->step();
}

RunOutcome RunDriver::outcome() const {
    RunOutcome o;
    o.step = m_trainer->step();
    std::lock_guard lock(m_mutex);
    o.recordingError = m_recordingError;
    o.lostMessages = m_lost;
    if (!m_failure.empty()) {
        o.status = RunStatus::Failed;
        o.message = m_failure;
    } else {
        o.status = m_trainer->status();
        if (o.status == RunStatus::Diverged) o.message = "the loss or gradient became non-finite";
    }
    return o;
}

RunOutcome RunDriver::wait() {
    if (!m_started) throw Error("wait() on a run that was not started.");
    joinAll(/*stop=*/false);
    return outcome();
}

void RunDriver::joinAll(bool stop) {
    if (m_trainerThread.joinable()) {
        if (stop) requestStop();
        m_trainerThread.join();
    }
    if (m_recorderThread.joinable()) m_recorderThread.join();
}

std::string RunDriver::recordingError() const {
    std::lock_guard lock(m_mutex);
    return m_recordingError;
}

std::vector<int> RunDriver::takeRecordedCheckpoints() {
    std::lock_guard lock(m_mutex);
    std::vector<int> steps;
    steps.swap(m_recordedCheckpoints);
    return steps;
}

} // namespace attnscope
