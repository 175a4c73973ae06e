#include "core/store/run_recorder.h"

#include <algorithm>
#include <climits>
#include <exception>
#include <type_traits>
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
        for (const auto& m : m_pending)
            if (const auto* c = std::get_if<CheckpointSaved>(&m)) m_writtenCheckpoints.push_back(c->step);
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

std::vector<int> RunRecorder::takeWrittenCheckpoints() {
    std::vector<int> steps;
    steps.swap(m_writtenCheckpoints);
    return steps;
}

namespace {

int stepOf(const TelemetryMessage& m) {
    return std::visit(
        [](const auto& v) -> int {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, SnapshotPtr>)
                return v ? v->step : 0;
            else
                return v.step;
        },
        m);
}

// "78, 79, 80" or "78 … 89 (12)": the steps a gap lost, short enough for one event line.
std::string describeSteps(const std::vector<int>& steps) {
    if (steps.size() <= 6) {
        std::string s;
        for (std::size_t i = 0; i < steps.size(); ++i) s += (i ? ", " : "") + std::to_string(steps[i]);
        return s;
    }
    return std::to_string(steps.front()) + " … " + std::to_string(steps.back()) + " (" +
           std::to_string(steps.size()) + ")";
}

} // namespace

void RunRecorder::keepForRetry() noexcept {
    // Keep light records and only the newest checkpoint; drop snapshots (see the header for why).
    std::size_t newestCheckpoint = m_pending.size();
    for (std::size_t i = 0; i < m_pending.size(); ++i)
        if (std::holds_alternative<CheckpointSaved>(m_pending[i])) newestCheckpoint = i;
    std::vector<TelemetryMessage> kept;
    try {
        std::vector<int> lostSnapshots, lostCheckpoints, lostRecords;
        kept.reserve(m_pending.size() + 1);
        for (std::size_t i = 0; i < m_pending.size(); ++i) {
            auto& m = m_pending[i];
            const bool snapshot = std::holds_alternative<SnapshotPtr>(m);
            const bool heavy =
                snapshot || (std::holds_alternative<CheckpointSaved>(m) && i != newestCheckpoint);
            if (heavy) {
                ++m_dropped;
                (snapshot ? lostSnapshots : lostCheckpoints).push_back(stepOf(m));
            } else {
                kept.push_back(std::move(m));
            }
        }
        if (kept.size() > kMaxPending) {
            const auto excess = std::ptrdiff_t(kept.size() - kMaxPending);
            m_dropped += std::size_t(excess);
            for (auto it = kept.begin(); it != kept.begin() + excess; ++it)
                lostRecords.push_back(stepOf(*it));
            kept.erase(kept.begin(), kept.begin() + excess);
        }
        if (!lostSnapshots.empty() || !lostCheckpoints.empty() || !lostRecords.empty()) {
            std::string message = "recording gap:";
            if (!lostSnapshots.empty())
                message += " probe snapshots of steps " + describeSteps(lostSnapshots) + " lost;";
            if (!lostCheckpoints.empty())
                message += " checkpoints of steps " + describeSteps(lostCheckpoints) + " lost;";
            if (!lostRecords.empty()) message += " records of steps " + describeSteps(lostRecords) + " lost;";
            message += " cause: " + m_error;
            int first = lostSnapshots.empty() ? INT_MAX : lostSnapshots.front();
            if (!lostCheckpoints.empty()) first = std::min(first, lostCheckpoints.front());
            if (!lostRecords.empty()) first = std::min(first, lostRecords.front());
            kept.push_back(Event{first, EventKind::Note, std::move(message)});
        }
        m_pending.swap(kept);
    } catch (...) { // out of memory while sorting out the backlog: give it up
        m_dropped += m_pending.size();
        m_pending.clear();
    }
}

} // namespace attnscope
