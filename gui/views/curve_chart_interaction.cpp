// CurveChart: hover readout and context menu.
#include "gui/views/chart_settings.h"
#include "gui/views/curve_chart.h"
#include "gui/views/curve_chart_parts.h"

#include <QMenu>
#include <QToolTip>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace attnscope::gui {

namespace {
constexpr int kMaxReadoutRows = 14;
constexpr int kMarkerHoverPixels = 5;

QString formatValue(double v) {
    if (std::isnan(v)) return QStringLiteral("NaN");
    if (std::isinf(v)) return v > 0 ? QStringLiteral("+inf") : QStringLiteral("−inf");
    return QString::number(v, 'g', 4);
}
} // namespace

std::size_t nearestIndex(const std::vector<double>& xs, double x) {
    auto it = std::lower_bound(xs.begin(), xs.end(), x);
    if (it == xs.end()) return xs.size() - 1;
    if (it == xs.begin()) return 0;
    const std::size_t i = std::size_t(it - xs.begin());
    return (x - xs[i - 1] <= xs[i] - x) ? i - 1 : i;
}

QString CurveChart::readoutAt(double x) const {
    struct Row {
        QColor color;
        QString name;
        double value, raw;
        bool smoothed;
    };
    std::vector<Row> rows;
    for (const auto& s : m_series) {
        if (!s->visible || s->x.empty()) continue;
        const std::size_t i = nearestIndex(s->x, x);
        const bool smoothed =
            s->style.smoothable && m_smoothingEnabled && m_settings && m_settings->smoothing() > 0;
        rows.push_back({s->style.color, s->style.name, s->s[i], s->y[i], smoothed});
    }
    // Highest first, like the lines top to bottom (NaN last).
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
        if (std::isnan(a.value) != std::isnan(b.value)) return !std::isnan(a.value);
        return a.value > b.value;
    });
    const QString xName = m_plot->xAxis->label().isEmpty() ? tr("x") : m_plot->xAxis->label();
    QString html = QStringLiteral("<b>%1 %2</b><table cellspacing=0 cellpadding=1>")
                       .arg(xName.toHtmlEscaped())
                       .arg(QString::number(std::round(x)));
    int shown = 0;
    for (const Row& r : rows) {
        if (shown++ == kMaxReadoutRows) {
            html += QStringLiteral("<tr><td></td><td colspan=2><i>%1</i></td></tr>")
                        .arg(tr("… %1 more").arg(rows.size() - kMaxReadoutRows));
            break;
        }
        html += QStringLiteral("<tr><td><span style='color:%1'>■</span></td><td nowrap>%2&nbsp;</td>"
                               "<td align=right nowrap><b>%3</b>%4</td></tr>")
                    .arg(r.color.name(), r.name.toHtmlEscaped(), formatValue(r.value),
                         r.smoothed
                             ? QStringLiteral(" <span style='color:#888'>(%1)</span>").arg(formatValue(r.raw))
                             : QString());
    }
    html += QStringLiteral("</table>");
    const double tolerance =
        std::abs(m_plot->xAxis->pixelToCoord(kMarkerHoverPixels) - m_plot->xAxis->pixelToCoord(0));
    for (const Marker& m : m_markers)
        if (m.line->visible() && std::abs(m.x - x) <= tolerance)
            html +=
                QStringLiteral("<div><span style='color:%1'>⚑</span> %2 %3: %4</div>")
                    .arg(m.color.name(), xName.toHtmlEscaped(), QString::number(m.x), m.text.toHtmlEscaped());
    return html;
}

void CurveChart::showReadout(const QPoint& pos, const QPoint& globalPos) {
    if (!m_plot->axisRect()->rect().contains(pos) || visiblePointCount() == 0) {
        hideReadout();
        return;
    }
    const double x = m_plot->xAxis->pixelToCoord(pos.x());
    m_cursor->point1->setCoords(x, 1);
    m_cursor->point2->setCoords(x, 2);
    m_cursor->setVisible(true);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    // Offset so the tooltip never sits under the pointer (it would steal the hover).
    QToolTip::showText(globalPos + QPoint(18, 12), readoutAt(x), m_plot);
}

void CurveChart::hideReadout() {
    if (m_cursor->visible()) {
        m_cursor->setVisible(false);
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    }
    QToolTip::hideText();
}

bool CurveChart::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_plot && event->type() == QEvent::Leave) hideReadout();
    return QWidget::eventFilter(watched, event);
}

void CurveChart::showContextMenu(const QPoint& pos) {
    QMenu menu(this);
    QAction* log = menu.addAction(tr("Logarithmic y axis"));
    log->setCheckable(true);
    log->setChecked(m_logY);
    QAction* reset = menu.addAction(tr("Reset view (double-click)"));
    menu.addSeparator();
    // One drawing path for every export: the window's File › Export figure (the figures library), which
    // knows this page's view; the chart has no exporter of its own.
    QAction* exportFigure = window()->findChild<QAction*>(QStringLiteral("exportFigure"));
    QAction* save = exportFigure ? menu.addAction(exportFigure->text()) : nullptr;
    QAction* chosen = menu.exec(m_plot->mapToGlobal(pos));
    if (chosen == log) {
        setLogY(!m_logY);
    } else if (chosen == reset) {
        resetView();
    } else if (chosen && chosen == save) {
        exportFigure->trigger();
    }
}

} // namespace attnscope::gui
