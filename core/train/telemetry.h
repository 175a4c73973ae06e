#pragma once
// The one thread-safe channel from a trainer to its consumers. The trainer publishes; each consumer
// (GUI view model, run-store writer, CLI progress line) subscribes and drains its own queue at its own pace,
// so a slow consumer never blocks training and never steals another's messages.
#include "core/probe/snapshot.h"

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <variant>
#include <vector>

namespace attnscope {

struct StatusChange {
    RunStatus status = RunStatus::Created;
    int step = 0;
    std::string message; // reason for Failed/Diverged/Stopped
};

// A checkpoint (safetensors image: parameters, AdamW moments, step, RNG state; see docs/run-format.md).
struct CheckpointSaved {
    int step = 0;
    std::shared_ptr<const std::vector<std::uint8_t>> safetensors;
};

using TelemetryMessage =
    std::variant<StepRecord, SnapshotPtr, Event, EvalRecord, StatusChange, CheckpointSaved>;

class TelemetrySubscription {
public:
    // Moves every pending message into `out` (appending). Returns the number moved.
    std::size_t drain(std::vector<TelemetryMessage>& out);
    bool empty() const;

private:
    friend class TelemetryBus;
    void push(const TelemetryMessage& m);
    mutable std::mutex m_mutex;
    std::deque<TelemetryMessage> m_queue;
};

class TelemetryBus {
public:
    // Subscriptions are shared with the bus; a consumer that drops its pointer stops receiving.
    std::shared_ptr<TelemetrySubscription> subscribe();
    void publish(const TelemetryMessage& m);

private:
    std::mutex m_mutex;
    std::vector<std::weak_ptr<TelemetrySubscription>> m_subscribers;
};

} // namespace attnscope
