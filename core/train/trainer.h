#pragma once
// Runs one training run: builds the model and data from a RunSpec, steps the optimiser, evaluates,
// records probe snapshots and events, and publishes everything on its TelemetryBus. run() blocks; call it
// from a worker thread. Divergence (NaN/Inf) is recorded as an event and ends the run as Diverged; it never
// throws or crashes.
#include "core/train/run_spec.h"
#include "core/train/telemetry.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace attnscope {

class TokenSource;
struct TrainerState; // model, optimiser, workspaces (float engine)

class Trainer {
public:
    // Validates the spec and builds data + model. Throws attnscope::Error with a clear message.
    explicit Trainer(const RunSpec& spec);
    ~Trainer();
    Trainer(const Trainer&) = delete;
    Trainer& operator=(const Trainer&) = delete;

    const RunSpec& spec() const { return m_spec; }
    const TokenSource& data() const;
    TelemetryBus& bus() { return m_bus; }

    void run(); // until spec.train.steps, stop or divergence
    void requestStop() { m_stop = true; }
    void setPaused(bool p) { m_paused = p; }
    bool paused() const { return m_paused; }
    int step() const { return m_step.load(); }
    RunStatus status() const { return m_status.load(); }
    // OpenMP threads for the steps to come (read before each step; n < 1: all cores). Losses do not depend
    // on it (core/nn/parallel.h), so the app can rebalance the cores while runs train.
    void setThreads(int n);
    int threads() const { return m_threads.load(); }

    // Safetensors image of the full training state (valid between steps or when not running).
    std::vector<std::uint8_t> checkpoint() const;
    // Restores a checkpoint made by the same spec; throws attnscope::Error on mismatch.
    void restore(const std::vector<std::uint8_t>& safetensors);

    // The fixed probe sequence snapshots are taken on (train.probe_length tokens, or fewer for a short text).
    const std::vector<std::int32_t>& probeTokens() const;

    // Called on the training thread after each step's records are published. An exception it throws ends
    // run() like any training error (tests inject failures this way; a sweep runner can watch progress).
    // Set before run().
    void setStepObserver(std::function<void(const StepRecord&)> observer) {
        m_stepObserver = std::move(observer);
    }

    // Probe snapshot now (also used by tests and by "probe your own text").
    SnapshotPtr snapshot(const std::vector<std::int32_t>& probeTokens) const;

private:
    void publishStatus(RunStatus s, const std::string& message = {});
    RunSpec m_spec;
    TelemetryBus m_bus;
    std::unique_ptr<TrainerState> m_state;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_paused{false};
    std::atomic<int> m_step{0};
    std::atomic<int> m_threads{1};
    std::atomic<RunStatus> m_status{RunStatus::Created};
    std::function<void(const StepRecord&)> m_stepObserver;
};

} // namespace attnscope
