#include "gui/export/figures/figure_painter.h"

#include <QFont>
#include <cmath>
#include <qcustomplot.h>

namespace attnscope::figures {

namespace {

void styleAxis(QCPAxis* axis, const QFont& font, const QString& label) {
    axis->setLabel(label);
    axis->setLabelFont(font);
    axis->setTickLabelFont(font);
    // Print style: thin black axes, short ticks, no screen-theme colours.
    const QPen pen(Qt::black, 0.5);
    axis->setBasePen(pen);
    axis->setTickPen(pen);
    axis->setSubTickPen(pen);
    axis->setTickLengthOut(3);
    axis->setTickLengthIn(0);
    axis->setSubTickLengthIn(0);
    axis->setSubTickLengthOut(1.5);
    axis->setPadding(2);
    axis->setLabelPadding(2);
    axis->grid()->setPen(QPen(QColor(0xdd, 0xdd, 0xdd), 0.4));
}

void addCursor(QCustomPlot& plot, double x, const QPen& pen, const QString& letter, const QFont& font) {
    auto* cursor = new QCPItemStraightLine(&plot);
    cursor->point1->setCoords(x, 0);
    cursor->point2->setCoords(x, 1);
    cursor->setPen(pen);
    if (letter.isEmpty()) return;
    auto* label = new QCPItemText(&plot);
    label->position->setTypeX(QCPItemPosition::ptPlotCoords);
    label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    label->position->setCoords(x, 1);
    // Right of the line, or left of it in the last tenth of the axis where it would leave the plot.
    const QCPRange range = plot.xAxis->range();
    const bool nearEnd = x > range.lower + 0.9 * range.size();
    label->setPositionAlignment((nearEnd ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignBottom);
    label->setPadding(nearEnd ? QMargins(0, 0, 2, 1) : QMargins(2, 0, 0, 1));
    QFont bold = font;
    bold.setBold(true);
    label->setFont(bold);
    label->setColor(pen.color());
    label->setText(letter);
}

} // namespace

void paintCurves(QCPPainter& painter, const QSizeF& sizePt, const CurveData& data,
                 const FigureOptions& options) {
    // A standalone, never-shown QCustomPlot: the same axis layout and tick logic as the app's charts, drawn
    // straight into the export painter at the figure's size in points.
    QCustomPlot plot;
    QFont font(options.fontFamily);
    font.setPointSizeF(options.fontPt);
    plot.setFont(font);
    plot.setBackground(Qt::white);
    styleAxis(plot.xAxis, font, data.xLabel);
    styleAxis(plot.yAxis, font, data.yLabel);
    plot.axisRect()->setAutoMargins(QCP::msAll);
    plot.plotLayout()->setMargins(QMargins(2, 2, 6, 2));

    double xMin = INFINITY, xMax = -INFINITY, yMin = INFINITY, yMax = -INFINITY;
    for (const CurveLine& line : data.lines) {
        QVector<double> xs, ys;
        for (std::size_t i = 0; i < data.x.size() && i < line.y.size(); ++i) {
            if (!std::isfinite(line.y[i])) continue;
            xs << data.x[i];
            ys << line.y[i];
            xMin = std::min(xMin, data.x[i]), xMax = std::max(xMax, data.x[i]);
            yMin = std::min(yMin, line.y[i]), yMax = std::max(yMax, line.y[i]);
        }
        QCPGraph* graph = plot.addGraph();
        graph->setName(line.name);
        graph->setData(xs, ys, true);
        QPen pen(line.color, 1.0);
        if (line.dashed) pen.setStyle(Qt::DashLine);
        graph->setPen(pen);
        // Sparse series (validation every N steps) would be invisible as bare line segments.
        if (xs.size() < 0.5 * double(data.x.size()))
            graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, line.color, Qt::white, 3));
        if (xs.isEmpty()) graph->removeFromLegend();
    }
    if (xMin > xMax) xMin = 0, xMax = 1, yMin = 0, yMax = 1;
    if (xMin == xMax) xMin -= 0.5, xMax += 0.5;
    const double pad = yMax > yMin ? 0.05 * (yMax - yMin) : 0.5;
    plot.xAxis->setRange(xMin, xMax);
    plot.yAxis->setRange(yMin - pad, yMax + pad);

    // The GUI's step cursors in print colours: B grey and dashed, A black and dash-dotted, lettered at
    // their foot when both are there.
    const bool pinned = data.pinCursor >= 0;
    if (data.cursor >= 0)
        addCursor(plot, data.cursor, QPen(QColor(0x55, 0x55, 0x55), 0.6, Qt::DashLine),
                  pinned ? QStringLiteral("B") : QString(), font);
    if (pinned)
        addCursor(plot, data.pinCursor, QPen(QColor(0x1A, 0x1A, 0x1A), 0.6, Qt::DashDotLine),
                  QStringLiteral("A"), font);
    if (options.title) {
        plot.plotLayout()->insertRow(0);
        QFont titleFont = font;
        titleFont.setBold(true);
        auto* title = new QCPTextElement(&plot, data.title, titleFont);
        title->setMargins(QMargins(0, 0, 0, 2));
        plot.plotLayout()->addElement(0, 0, title);
        plot.plotLayout()->setRowSpacing(0);
    }
    if (options.legend && data.lines.size() > 1) {
        plot.legend->setVisible(true);
        plot.legend->setFont(font);
        plot.legend->setBorderPen(QPen(QColor(0xbb, 0xbb, 0xbb), 0.4));
        plot.legend->setBrush(QColor(255, 255, 255, 220));
        plot.legend->setIconSize(12, 6);
        plot.legend->setRowSpacing(-2);
        plot.legend->setMargins(QMargins(3, 1, 3, 1));
        // Many heads: two columns keep the legend from covering the plot.
        if (data.lines.size() > 4)
            plot.legend->setWrap(int((data.lines.size() + 1) / 2)),
                plot.legend->setFillOrder(QCPLayoutGrid::foRowsFirst);
        plot.axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    }
    plot.toPainter(&painter, int(std::lround(sizePt.width())), int(std::lround(sizePt.height())));
}

} // namespace attnscope::figures
