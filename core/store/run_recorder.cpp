#include "core/store/run_recorder.h"

#include <exception>
#include <variant>

namespace attnscope {

RunRecorder::RunRecorder(std::shared_ptr<TelemetrySubscription> subscription, RunWriter writer)
    : m_subscription(std::move(subscription)), m_writer(std::move(writer)) {}

RunRecorder::~RunRecorder() {
    pump();
}

std::size_t RunRecorder::pump() noexcept {
    try {
        if (m_subscription) m_subscription->drain(m_pending);
        if (m_pending.empty()) {
            m_error.clear();
            return 0;
        }
        m_writer.write(m_pending);
        const std::size_t written = m_pending.size();
        m_pending.clear();
        m_error.clear();
        m_written += written;
        return written;
    } catch (const std::exception& e) {
        m_error = e.what();
    } catch (...) {
        m_error = "Cannot write to " + m_writer.path() + ": an unknown error occurred.";
    }
    keepForRetry();
    return 0;
}

void RunRecorder::keepForRetry() noexcept {
    // Keep light records and only the newest checkpoint; drop snapshots (see the header for why).
    std::size_t newestCheckpoint = m_pending.size();
    for (std::size_t i = 0; i < m_pending.size(); ++i)
        if (std::holds_alternative<CheckpointSaved>(m_pending[i])) newestCheckpoint = i;
    std::vector<TelemetryMessage> kept;
    try {
        kept.reserve(m_pending.size());
        for (std::size_t i = 0; i < m_pending.size(); ++i) {
            auto& m = m_pending[i];
            const bool heavy = std::holds_alternative<SnapshotPtr>(m) ||
                               (std::holds_alternative<CheckpointSaved>(m) && i != newestCheckpoint);
            if (heavy)
                ++m_dropped;
            else
                kept.push_back(std::move(m));
        }
        if (kept.size() > kMaxPending) {
            m_dropped += kept.size() - kMaxPending;
            kept.erase(kept.begin(), kept.end() - std::ptrdiff_t(kMaxPending));
        }
        m_pending.swap(kept);
    } catch (...) { // out of memory while sorting out the backlog: give it up
        m_dropped += m_pending.size();
        m_pending.clear();
    }
}

} // namespace attnscope
