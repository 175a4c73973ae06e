#pragma once
// Log-axis ticks that stay readable on narrow ranges. QCPAxisTickerLog puts ticks at powers of ten, and
// inside a single decade falls back to linear steps that bunch up at the top of a log axis (0.25, 0.5, …,
// 1.75). Here a range under two decades gets 1-2-5 style ticks (denser ladders when that gives fewer than
// three), which are evenly spread on a log scale; wider ranges keep the powers of ten.
#include <qcustomplot.h>

namespace attnscope::gui {

class LogTicker : public QCPAxisTickerLog {
protected:
    QVector<double> createTickVector(double tickStep, const QCPRange& range) override;
    int getSubTickCount(double tickStep) override;

private:
    bool m_narrow = false; // the last tick vector used a mantissa ladder (no sub-ticks then)
};

} // namespace attnscope::gui
