#pragma once
// Connects the telemetry bus to a run file: pump() drains the subscription and writes the messages in one
// transaction. Meant to be called from a timer in the GUI (or a loop in the CLI), so it never throws:
// failures (disk full, file deleted, I/O error) are reported through healthy()/error() and the GUI decides
// how to tell the user. Training is never blocked or stopped by the recorder.
//
// Failure policy, chosen so that a full disk cannot also exhaust memory: after a failed write the
// recorder keeps the light records (steps, events, evals, status changes; at most kMaxPending) and the
// newest checkpoint, and retries them on the next pump. Probe snapshots of a failed batch are dropped
// and counted in droppedMessages(). A snapshot the writer rejects as malformed is thus dropped too,
// instead of blocking every later write. Whatever is dropped leaves a trace in the file: a "note" event
// "recording gap: …" naming the lost snapshots, checkpoints and step records and the cause, written with the
// next batch that gets through (docs/run-format.md, "Recording gaps").
#include "core/store/run_writer.h"
#include "core/train/telemetry.h"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace attnscope {

class RunRecorder {
public:
    static constexpr std::size_t kMaxPending = 1'000'000;

    RunRecorder(std::shared_ptr<TelemetrySubscription> subscription, RunWriter writer);
    // Makes a last best-effort pump so the final status change reaches the file.
    ~RunRecorder();
    RunRecorder(const RunRecorder&) = delete;
    RunRecorder& operator=(const RunRecorder&) = delete;

    // Writes everything pending; returns the number of messages written (0 when the write failed).
    std::size_t pump() noexcept;

    bool healthy() const { return m_error.empty(); }     // false while the last pump failed
    const std::string& error() const { return m_error; } // user-facing sentence; empty when healthy
    std::size_t droppedMessages() const { return m_dropped; }
    std::size_t pendingMessages() const { return m_pending.size(); }
    std::size_t writtenMessages() const { return m_written; }
    const std::string& path() const { return m_writer.path(); }
    // Steps of the checkpoints written since the last call.
    std::vector<int> takeWrittenCheckpoints();

private:
    void keepForRetry() noexcept;
    std::shared_ptr<TelemetrySubscription> m_subscription;
    RunWriter m_writer;
    std::vector<TelemetryMessage> m_pending;
    std::vector<int> m_writtenCheckpoints;
    std::string m_error;
    std::size_t m_dropped = 0, m_written = 0;
};

} // namespace attnscope
