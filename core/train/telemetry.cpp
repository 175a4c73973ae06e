#include "core/train/telemetry.h"

#include <algorithm>

namespace attnscope {

std::size_t TelemetrySubscription::drain(std::vector<TelemetryMessage>& out) {
    std::deque<TelemetryMessage> taken;
    {
        std::lock_guard lock(m_mutex);
        taken.swap(m_queue);
    }
    const std::size_t n = taken.size();
    for (auto& m : taken) out.push_back(std::move(m));
    return n;
}

bool TelemetrySubscription::empty() const {
    std::lock_guard lock(m_mutex);
    return m_queue.empty();
}

void TelemetrySubscription::push(const TelemetryMessage& m) {
    std::lock_guard lock(m_mutex);
    m_queue.push_back(m);
}

std::shared_ptr<TelemetrySubscription> TelemetryBus::subscribe() {
    auto sub = std::make_shared<TelemetrySubscription>();
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
