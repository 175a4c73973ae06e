#pragma once
// The one thread-safe channel from a trainer to its consumers. The trainer publishes; each consumer
// (GUI view model, run-store writer, CLI progress line) subscribes and drains its own queue at its own pace,
// so a slow consumer never blocks training and never steals another's messages. The run-file writer
// subscribes losslessly (the file holds everything); front ends (the app, the CLI's progress line, sweep
// watchers) subscribe with a bound on the bulky messages waiting in their queue: when a snapshot or
// checkpoint arrives and the bound is reached, the oldest waiting one is dropped and counted. Steps, events,
// evaluations and status changes are never dropped, and publishing never blocks on a consumer.
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

// Snapshots and checkpoints a front end's queue holds at most (about 8 × the largest map set in memory).
inline constexpr std::size_t kFrontEndPendingBulky = 8;

class TelemetrySubscription {
public:
    // maxPendingBulky: at most this many snapshots + checkpoints wait in the queue; 0 = no bound (lossless).
    explicit TelemetrySubscription(std::size_t maxPendingBulky = 0) : m_maxBulky(maxPendingBulky) {}

    // Moves every pending message into `out` (appending). Returns the number moved.
    std::size_t drain(std::vector<TelemetryMessage>& out);
    bool empty() const;
    // Snapshots and checkpoints dropped because the bound was reached (oldest first), since subscribing.
    std::uint64_t dropped() const;

private:
    friend class TelemetryBus;
    void push(const TelemetryMessage& m);
    mutable std::mutex m_mutex;
    std::deque<TelemetryMessage> m_queue;
    const std::size_t m_maxBulky;
    std::size_t m_bulky = 0; // snapshots + checkpoints in m_queue
    std::uint64_t m_dropped = 0;
};

class TelemetryBus {
public:
    // Subscriptions are shared with the bus; a consumer that drops its pointer stops receiving.
    // maxPendingBulky as TelemetrySubscription's: 0 for a consumer that must see every message (the run
    // file), kFrontEndPendingBulky for one that shows them.
    std::shared_ptr<TelemetrySubscription> subscribe(std::size_t maxPendingBulky = 0);
    void publish(const TelemetryMessage& m);

private:
    std::mutex m_mutex;
    std::vector<std::weak_ptr<TelemetrySubscription>> m_subscribers;
};

} // namespace attnscope
