#include "gui/views/log_ticker.h"

#include <cmath>
#include <vector>

namespace attnscope::gui {

QVector<double> LogTicker::createTickVector(double tickStep, const QCPRange& range) {
    m_narrow = false;
    if (range.lower <= 0 || range.upper <= range.lower || std::log10(range.upper / range.lower) >= 2)
        return QCPAxisTickerLog::createTickVector(tickStep, range);
    static const std::vector<std::vector<double>> ladders{
        {1, 2, 5}, {1, 1.5, 2, 3, 5, 7}, {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9}};
    QVector<double> ticks;
    for (const auto& ladder : ladders) {
        ticks.clear();
        for (int k = int(std::floor(std::log10(range.lower))); k <= int(std::ceil(std::log10(range.upper)));
             ++k)
            for (double m : ladder) {
                const double t = m * std::pow(10.0, k);
                if (t >= range.lower && t <= range.upper) ticks.push_back(t);
            }
        if (ticks.size() >= 3) break;
    }
    m_narrow = true;
    return ticks;
}

int LogTicker::getSubTickCount(double tickStep) {
    return m_narrow ? 0 : QCPAxisTickerLog::getSubTickCount(tickStep);
}

} // namespace attnscope::gui
