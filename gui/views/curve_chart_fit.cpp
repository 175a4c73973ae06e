// CurveChart data flow: per-series buffers → QCustomPlot graphs (incrementally), smoothing, and the
// auto-fitted axes (outlier-robust y, shared x domain).
#include "gui/views/chart_settings.h"
#include "gui/views/curve_chart.h"
#include "gui/views/curve_chart_parts.h"
#include "gui/views/log_ticker.h"
#include "gui/views/robust_range.h"
#include "gui/views/smoothing.h"

#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace attnscope::gui {

namespace {
constexpr double kOutlierQuantile = 0.01; // "ignore the top and bottom percentile"
constexpr std::size_t kMaxRangeSamples = 40000;

double drawable(double v) {
    return std::isfinite(v) ? v : qQNaN();
}
} // namespace

void CurveChart::setXDomain(double lo, double hi) {
    if (lo == m_domainLo && hi == m_domainHi) return;
    m_domainLo = lo;
    m_domainHi = hi;
    m_dirty = true;
}

void CurveChart::refresh() {
    if (!isVisible()) {
        m_dirty = true; // catch up in showEvent: hidden tabs cost nothing while a run trains
        return;
    }
    for (auto& s : m_series) flush(*s);
    updatePlaceholder();
    if (m_autoFit) fitView();
    m_dirty = false;
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void CurveChart::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_dirty) refresh();
}

void CurveChart::flush(Series& s) {
    auto push = [](QCPGraph* graph, const std::vector<double>& x, const std::vector<double>& y,
                   std::size_t& flushed) {
        if (flushed >= x.size()) return;
        QVector<double> keys, values;
        keys.reserve(qsizetype(x.size() - flushed));
        values.reserve(keys.capacity());
        for (std::size_t i = flushed; i < x.size(); ++i) {
            keys.push_back(x[i]);
            values.push_back(drawable(y[i]));
        }
        graph->addData(keys, values, true);
        flushed = x.size();
    };
    const bool hadDot = s.flushedRaw < 2;
    push(s.raw, s.x, s.y, s.flushedRaw);
    push(s.smooth, s.x, s.s, s.flushedSmooth);
    if (hadDot && s.flushedRaw >= 2) applyStyle(s);
}

void CurveChart::resmooth() {
    for (auto& s : m_series) {
        s->ema = {};
        s->s.clear();
        s->s.reserve(s->y.size());
        for (double v : s->y) s->s.push_back(smoothedValue(*s, v));
        s->smooth->data()->clear();
        s->flushedSmooth = 0;
        applyStyle(*s);
    }
    m_dirty = true;
}

void CurveChart::fitView() {
    double xMin = qInf(), xMax = -qInf();
    std::size_t total = 0;
    for (const auto& s : m_series)
        if (s->visible && !s->x.empty()) {
            xMin = std::min(xMin, s->x.front());
            xMax = std::max(xMax, s->x.back());
            total += s->y.size();
        }
    if (total == 0) return;
    if (m_domainHi >= m_domainLo) { // the step axis the view chose (the selected run's steps, or all runs')
        xMin = m_domainLo;
        xMax = m_domainHi;
    }
    if (xMax <= xMin) { // a single step: centre it
        xMin -= 1;
        xMax += 1;
    }
    m_plot->xAxis->setRange(xMin, xMax);

    // Sample long runs evenly: the quantiles barely move and fitting stays cheap at 30 Hz.
    const std::size_t stride = std::max<std::size_t>(1, total / kMaxRangeSamples);
    std::vector<double> values;
    values.reserve(total / stride + 16);
    for (const auto& s : m_series) {
        if (!s->visible) continue;
        for (std::size_t i = 0; i < s->y.size(); i += stride) values.push_back(s->y[i]);
        if (!s->y.empty()) values.push_back(s->y.back()); // the newest value is always in view
    }
    const bool robust = !m_keepExtremes && (!m_settings || m_settings->ignoreOutliers());
    const double lower = robust ? kOutlierQuantile : 0.0;
    const double upper = robust ? 1.0 - kOutlierQuantile : 1.0;
    auto extent = quantileExtent(values, lower, upper, m_logY);
    if (!extent) return;
    auto [lo, hi] = paddedRange(*extent, 0.06, m_logY);
    if (!m_logY &&
        hi - lo < m_minYSpan) { // a tiny spread drawn as a tiny spread, not blown up to full height
        const double mid = 0.5 * (lo + hi);
        lo = mid - 0.5 * m_minYSpan, hi = mid + 0.5 * m_minYSpan;
    }
    m_plot->yAxis->setRange(lo, hi);
}

void CurveChart::updateAxisScale() {
    if (m_logY) {
        m_plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
        m_plot->yAxis->setTicker(QSharedPointer<LogTicker>::create());
        // "g" keeps in-decade ticks readable (5.5, 6) and turns wide ranges into 1·10⁻³ style labels.
        m_plot->yAxis->setNumberFormat(QStringLiteral("gb"));
        m_plot->yAxis->setNumberPrecision(3);
    } else {
        m_plot->yAxis->setScaleType(QCPAxis::stLinear);
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
        m_plot->yAxis->setNumberFormat(QStringLiteral("gb"));
        m_plot->yAxis->setNumberPrecision(4);
    }
}

void CurveChart::updatePlaceholder() {
    m_placeholder->setVisible(visiblePointCount() == 0);
}

int CurveChart::seriesCount() const {
    return int(m_series.size());
}
std::size_t CurveChart::markerCount() const {
    return m_markers.size();
}

std::size_t CurveChart::pointCount(int id) const {
    const Series* s = series(id);
    return s ? s->x.size() : 0;
}

std::size_t CurveChart::visiblePointCount() const {
    std::size_t n = 0;
    for (const auto& s : m_series)
        if (s->visible) n += s->x.size();
    return n;
}

double CurveChart::valueAt(int id, double x, bool smoothed) const {
    const Series* s = series(id);
    if (!s || s->x.empty()) return qQNaN();
    const std::size_t i = nearestIndex(s->x, x);
    return smoothed ? s->s[i] : s->y[i];
}

} // namespace attnscope::gui
