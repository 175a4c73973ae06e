#include "core/train/telemetry.h"

#include <algorithm>

namespace attnscope {

namespace {

bool isBulky(const TelemetryMessage& m) {
    return std::holds_alternative<SnapshotPtr>(m) || std::holds_alternative<CheckpointSaved>(m);
}

} // namespace

std::size_t TelemetrySubscription::drain(std::vector<TelemetryMessage>& out) {
    std::deque<TelemetryMessage> taken;
    {
        std::lock_guard lock(m_mutex);
        taken.swap(m_queue);
        m_bulky = 0;
    }
    const std::size_t n = taken.size();
    for (auto& m : taken) out.push_back(std::move(m));
    return n;
}

bool TelemetrySubscription::empty() const {
    std::lock_guard lock(m_mutex);
    return m_queue.empty();
}

std::uint64_t TelemetrySubscription::dropped() const {
    std::lock_guard lock(m_mutex);
    return m_dropped;
}

void TelemetrySubscription::push(const TelemetryMessage& m) {
    std::lock_guard lock(m_mutex);
    const bool bulky = isBulky(m);
    if (bulky && m_maxBulky > 0 && m_bulky >= m_maxBulky) {
        m_queue.erase(std::find_if(m_queue.begin(), m_queue.end(), isBulky));
        --m_bulky;
        ++m_dropped;
    }
    m_queue.push_back(m);
    m_bulky += bulky;
}

std::shared_ptr<TelemetrySubscription> TelemetryBus::subscribe(std::size_t maxPendingBulky) {
    auto sub = std::make_shared<TelemetrySubscription>(maxPendingBulky);
    std::lock_guard lock(m_mutex);
    m_subscribers.push_back(sub);
    return sub;
}

void TelemetryBus::publish(const TelemetryMessage& m) {
    std::lock_guard lock(m_mutex);
    m_subscribers.erase(
        std::remove_if(m_subscribers.begin(), m_subscribers.end(), [](const auto& w) { return w.expired(); }),
        m_subscribers.end());
    for (auto& w : m_subscribers)
        if (auto s = w.lock()) s->push(m);
}

} // namespace attnscope
