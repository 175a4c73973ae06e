#include "gui/inspect/step_cursors.h"

#include "gui/views/curve_chart.h"
#include "gui/widgets/pin_slider.h"

#include <cmath>
#include <qcustomplot.h>

namespace attnscope::gui {

void StepCursors::place(CurveChart& chart, Cursor& c, const QColor& color, Qt::PenStyle style, double x,
                        const QString& text, bool visible) {
    QCustomPlot* plot = chart.plot();
    if (!c.line) {
        c.line = new QCPItemStraightLine(plot);
        c.line->setPen(QPen(color, 1.2, style));
        c.line->setSelectable(false);
        c.label = new QCPItemText(plot);
        c.label->setSelectable(false);
        c.label->setColor(color);
        QFont f = plot->font();
        f.setBold(true);
        c.label->setFont(f);
        // Just inside the bottom of the plot, whatever the y range: the top-right corner holds the key.
        c.label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        c.label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        // Right of the line, or left of it near the right end of the axis where it would be clipped;
        // decided at every replot because zoom and live data move the axis.
        QObject::connect(plot, &QCustomPlot::beforeReplot, c.label, [plot, label = c.label.data()] {
            const QCPRange range = plot->xAxis->range();
            const bool nearEnd = label->position->coords().x() > range.lower + 0.9 * range.size();
            label->setPositionAlignment((nearEnd ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignBottom);
            label->setPadding(nearEnd ? QMargins(0, 0, 3, 1) : QMargins(3, 0, 0, 1));
        });
    }
    c.line->point1->setCoords(x, 0);
    c.line->point2->setCoords(x, 1);
    c.line->setVisible(visible);
    c.label->position->setCoords(x, 1);
    c.label->setText(text);
    c.label->setVisible(visible && !text.isEmpty());
}

void StepCursors::show(const std::vector<CurveChart*>& charts, int step, std::optional<int> pin) {
    const QColor grey(0x44, 0x44, 0x44, 170);
    for (CurveChart* chart : charts) {
        // "B" only means something next to an "A"; a lone cursor stays unlabelled.
        place(*chart, m_b[chart], grey, Qt::DashLine, step, pin ? QStringLiteral("B") : QString(), true);
        // Dash-dot sets A apart from B and from the dashed event markers as well as by colour.
        place(*chart, m_a[chart], pinColor(), Qt::DashDotLine, pin.value_or(0), QStringLiteral("A"),
              bool(pin));
        chart->plot()->replot(QCustomPlot::rpQueuedReplot);
    }
}

double StepCursors::stepOf(const CurveChart* chart) const {
    const auto it = m_b.find(chart);
    return it == m_b.end() || !it->second.line ? NAN : it->second.line->point1->coords().x();
}

double StepCursors::pinOf(const CurveChart* chart) const {
    const auto it = m_a.find(chart);
    return it == m_a.end() || !it->second.line || !it->second.line->visible()
               ? NAN
               : it->second.line->point1->coords().x();
}

} // namespace attnscope::gui
