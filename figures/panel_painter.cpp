// Small multiples: several curve charts on one page, on shared axes (every panel carries the same x and y
// range, set by curvePanels()), under one title and one legend row that lists each run or line once. The
// panels themselves are ordinary curve charts (paintCurves) without their own legend, so a panel looks
// exactly like a one-run figure of the same data.
#include "figures/figure_painter.h"

#include <QFontMetricsF>
#include <QPainter>
#include <algorithm>
#include <cmath>

namespace attnscope::figures {

namespace {

constexpr double kPage = 2; // points of white border, as in one-chart figures
constexpr double kIcon = 12;

struct LegendEntry {
    QString text;
    QPen pen;
};

std::vector<LegendEntry> legendEntries(const std::vector<CurveData>& panels) {
    std::vector<LegendEntry> entries;
    for (const CurveData& d : panels)
        for (const CurveLine& l : d.lines) {
            if (!l.inLegend) continue;
            const QString text = legendText(l);
            if (std::any_of(entries.begin(), entries.end(),
                            [&](const LegendEntry& e) { return e.text == text; }))
                continue;
            QPen pen(l.color, 1.0);
            if (l.dashed) pen.setStyle(Qt::DashLine);
            entries.push_back({text, pen});
        }
    return entries;
}

// Columns × rows for `n` panels on a page of `size`: the arrangement whose panels are closest to 4:3.
std::pair<int, int> gridFor(int n, const QSizeF& size) {
    int best = 1;
    double bestScore = INFINITY;
    for (int cols = 1; cols <= n; ++cols) {
        const int rows = (n + cols - 1) / cols;
        const double aspect = (size.width() / cols) / (size.height() / rows);
        const double score = std::abs(std::log(aspect / (4.0 / 3.0))) + 0.3 * (cols * rows - n);
        if (score < bestScore) bestScore = score, best = cols;
    }
    return {best, (n + best - 1) / best};
}

} // namespace

void paintPanels(QPainter& p, const QSizeF& sizePt, const QString& title,
                 const std::vector<CurveData>& panels, const FigureOptions& options) {
    p.fillRect(QRectF(QPointF(0, 0), sizePt), Qt::white);
    QFont font(options.fontFamily);
    font.setPointSizeF(options.fontPt);
    QFont titleFont = font;
    titleFont.setBold(true);
    const QFontMetricsF fm(font, p.device()), tfm(titleFont, p.device());
    QRectF area(QPointF(kPage, kPage), sizePt - QSizeF(2 * kPage, 2 * kPage));

    if (options.title && !title.isEmpty()) {
        // Wrapped, never clipped: the title takes as many lines as it needs at this width.
        const QRectF need = tfm.boundingRect(area, Qt::AlignHCenter | Qt::TextWordWrap, title);
        p.setFont(titleFont);
        p.setPen(Qt::black);
        p.drawText(QRectF(area.left(), area.top(), area.width(), need.height()),
                   Qt::AlignHCenter | Qt::TextWordWrap, title);
        area.setTop(area.top() + need.height() + 2);
    }
    const std::vector<LegendEntry> entries =
        options.legend ? legendEntries(panels) : std::vector<LegendEntry>{};
    if (entries.size() > 1) {
        // One row (or more) above the panels, entries flowing left to right: outside every data area.
        p.setFont(font);
        double x = area.left(), y = area.top();
        for (const LegendEntry& e : entries) {
            const double w = kIcon + 3 + fm.horizontalAdvance(e.text) + 8;
            if (x > area.left() && x + w > area.right()) x = area.left(), y += fm.height();
            const double cy = y + fm.height() / 2;
            p.setPen(e.pen);
            p.drawLine(QPointF(x, cy), QPointF(x + kIcon, cy));
            p.setPen(Qt::black);
            p.drawText(QRectF(x + kIcon + 3, y, w - kIcon - 3, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                       fm.elidedText(e.text, Qt::ElideRight, area.width() - kIcon - 3));
            x += w;
        }
        area.setTop(y + fm.height() + 2);
    }
    if (panels.empty()) return;
    // The axes are shared, so their names are said once: x under the grid, y rotated at its left (a panel's
    // own rotated label would be longer than a short panel is tall).
    p.setFont(font);
    p.setPen(Qt::black);
    const QString xLabel = panels.front().xLabel, yLabel = panels.front().yLabel;
    if (!xLabel.isEmpty()) {
        p.drawText(QRectF(area.left(), area.bottom() - fm.height(), area.width(), fm.height()),
                   Qt::AlignCenter, xLabel);
        area.setBottom(area.bottom() - fm.height() - 1);
    }
    if (!yLabel.isEmpty()) {
        p.save();
        p.translate(area.left(), area.center().y());
        p.rotate(-90);
        p.drawText(QRectF(-area.height() / 2, 0, area.height(), fm.height()), Qt::AlignCenter,
                   fm.elidedText(yLabel, Qt::ElideRight, area.height()));
        p.restore();
        area.setLeft(area.left() + fm.height() + 1);
    }
    const auto [cols, rows] = gridFor(int(panels.size()), area.size());
    const QSizeF cell(area.width() / cols, area.height() / rows);
    FigureOptions panelOptions = options;
    panelOptions.legend = false; // the page's legend row says it once
    for (std::size_t i = 0; i < panels.size(); ++i) {
        const int r = int(i) / cols, c = int(i) % cols;
        CurveData panel = panels[i];
        panel.xLabel.clear();
        panel.yLabel.clear();
        p.save();
        p.translate(area.left() + c * cell.width(), area.top() + r * cell.height());
        paintCurves(p, cell, panel, panelOptions);
        p.restore();
    }
}

} // namespace attnscope::figures
