#include "figures/curve_layout.h"

#include "figures/colormap.h"

#include <QFontMetricsF>
#include <algorithm>
#include <array>
#include <cmath>

namespace attnscope::figures {

namespace {

constexpr double kPage = 2;    // white border around everything, points
constexpr double kTickLen = 3; // ticks point outwards, away from the data
constexpr double kGap = 2;     // tick → label, label → axis title
constexpr double kLegendIcon = 12;
constexpr double kLegendPad = 3;

bool usable(double y, bool logY) {
    return std::isfinite(y) && (!logY || y > 0);
}

// A long title is split at its " · " separators into at most two lines that fit; only what still does not
// fit is elided, so the run name and what is plotted both stay readable at one-column width.
QStringList splitTitle(const QString& title, const QFontMetricsF& fm, double width) {
    if (title.isEmpty()) return {};
    if (fm.horizontalAdvance(title) <= width) return {title};
    const QString sep = QStringLiteral(" · ");
    const QStringList parts = title.split(sep);
    QString first = parts[0];
    qsizetype i = 1;
    for (; i < parts.size(); ++i) {
        const QString longer = first + sep + parts[i];
        if (fm.horizontalAdvance(longer) > width) break;
        first = longer;
    }
    QStringList lines{fm.elidedText(first, Qt::ElideRight, width)};
    if (i < parts.size()) lines << fm.elidedText(parts.mid(i).join(sep), Qt::ElideRight, width);
    return lines;
}

// Steps of 1000 and more read as "20k": narrow labels that still say the exact value.
QString xLabel(double v, double step) {
    if (step >= 1000 && std::fmod(step, 1000.0) == 0 && v != 0)
        return formatTick(v / 1000, ColorScale::Linear, step / 1000) + QLatin1Char('k');
    return formatTick(v, ColorScale::Linear, step);
}

QString yLabel(double v, double step, bool logY, bool plainLog) {
    if (!logY) return formatTick(v, ColorScale::Linear, step);
    // Within 0.001…10⁴ plain numbers read faster than powers of ten.
    return plainLog ? QString::number(v, 'g', 4) : formatTick(v, ColorScale::Log, step);
}

// Tick values: 1-2-5 steps on a linear axis; decades on a log axis, or 1-2-5 multiples of powers of ten when
// the range holds fewer than three decades (two labelled ticks would say little) and there is room for them.
std::vector<double> tickValues(double lo, double hi, bool log, int maxTicks) {
    std::vector<double> values =
        ColorNorm({lo, hi}, log ? ColorScale::Log : ColorScale::Linear).ticks(maxTicks);
    if (!log || values.size() >= 3 || maxTicks < 5) return values;
    values.clear();
    for (int d = int(std::floor(std::log10(lo))); d <= int(std::ceil(std::log10(hi))); ++d)
        for (double m : {1.0, 2.0, 5.0})
            if (const double v = m * std::pow(10.0, d); v >= lo && v <= hi) values.push_back(v);
    return values;
}

// The densest ticks whose labels keep `minGap` points between them along the axis. position(v) is the
// tick's coordinate along the axis, extent(label) the label's size along it.
template <typename Label, typename Position, typename Extent>
std::vector<AxisTick> chooseTicks(double lo, double hi, bool log, double minGap, Label label,
                                  Position position, Extent extent) {
    std::vector<AxisTick> best;
    for (int maxTicks = 10; maxTicks >= 1; --maxTicks) {
        const std::vector<double> values = tickValues(lo, hi, log, maxTicks);
        const double step = values.size() > 1 ? values[1] - values[0] : hi - lo;
        std::vector<AxisTick> ticks;
        for (double v : values) ticks.push_back({v, label(v, step), {}});
        bool fits = true;
        for (std::size_t i = 1; i < ticks.size() && fits; ++i) {
            const double d = std::abs(position(ticks[i].value) - position(ticks[i - 1].value));
            fits = d >= (extent(ticks[i].label) + extent(ticks[i - 1].label)) / 2 + minGap;
        }
        best = std::move(ticks);
        if (fits) break;
    }
    return best;
}

bool crosses(const QLineF& s, const QRectF& r) {
    if (r.contains(s.p1()) || r.contains(s.p2())) return true;
    const std::array<QLineF, 4> edges{
        QLineF(r.topLeft(), r.topRight()), QLineF(r.topRight(), r.bottomRight()),
        QLineF(r.bottomRight(), r.bottomLeft()), QLineF(r.bottomLeft(), r.topLeft())};
    for (const QLineF& e : edges)
        if (s.intersects(e, nullptr) == QLineF::BoundedIntersection) return true;
    return false;
}

} // namespace

QPointF CurveLayout::map(double x, double y) const {
    const double fx = !(xHi > xLo) ? 0.5
                      : logX       ? (x > 0 ? std::log10(x / xLo) / std::log10(xHi / xLo) : -1)
                                   : (x - xLo) / (xHi - xLo);
    double fy;
    if (logY)
        fy = y > 0 ? (std::log10(y) - std::log10(yLo)) / (std::log10(yHi) - std::log10(yLo)) : -1;
    else
        fy = yHi > yLo ? (y - yLo) / (yHi - yLo) : 0.5;
    return {plot.left() + fx * plot.width(), plot.bottom() - fy * plot.height()};
}

std::vector<QLineF> CurveLayout::segments(const CurveData& data) const {
    std::vector<QLineF> out;
    for (const CurveLine& line : data.lines) {
        bool have = false;
        QPointF prev;
        for (std::size_t i = 0; i < data.x.size() && i < line.y.size(); ++i) {
            if (!usable(line.y[i], logY)) continue;
            const QPointF p = map(data.x[i], line.y[i]);
            out.emplace_back(have ? prev : p, p); // a lone point counts as a zero-length segment (its marker)
            prev = p, have = true;
        }
    }
    for (double c : {data.cursor, data.pinCursor})
        if (c >= xLo && c <= xHi) out.emplace_back(map(c, 0).x(), plot.top(), map(c, 0).x(), plot.bottom());
    return out;
}

CurveLayout layoutCurves(const QSizeF& sizePt, const CurveData& data, const FigureOptions& options,
                         const QPaintDevice* device) {
    CurveLayout L;
    L.font = QFont(options.fontFamily);
    L.font.setPointSizeF(options.fontPt);
    L.titleFont = L.font;
    L.titleFont.setBold(true);
    L.logY = options.logY;
    L.logX = data.logX;
    const QFontMetricsF fm(L.font, device);
    const QFontMetricsF tfm(L.titleFont, device);
    const QRectF page(QPointF(kPage, kPage), sizePt - QSizeF(2 * kPage, 2 * kPage));

    // Data ranges over what is drawn: finite values (positive ones on a log axis). x is not padded (the run
    // starts and ends at the frame); y gets 5% air (a twentieth of the decades on a log axis).
    double xLo = INFINITY, xHi = -INFINITY, yLo = INFINITY, yHi = -INFINITY;
    for (int i = 0; i < int(data.lines.size()); ++i) {
        bool any = false;
        for (std::size_t k = 0; k < data.x.size() && k < data.lines[i].y.size(); ++k) {
            const double y = data.lines[i].y[k];
            if (!usable(y, L.logY) || (L.logX && !(data.x[k] > 0))) continue;
            xLo = std::min(xLo, data.x[k]), xHi = std::max(xHi, data.x[k]);
            yLo = std::min(yLo, y), yHi = std::max(yHi, y);
            any = true;
        }
        if (any && data.lines[i].inLegend) L.legend.entries.push_back(i);
    }
    if (data.xRange) xLo = data.xRange->first, xHi = data.xRange->second; // shared by small multiples
    if (data.yRange && (!L.logY || data.yRange->first > 0))
        yLo = data.yRange->first, yHi = data.yRange->second;
    if (!(xLo <= xHi)) xLo = 0, xHi = 1, yLo = L.logY ? 0.1 : 0, yHi = 1;
    if (xLo == xHi) {
        if (L.logX)
            xLo /= 2, xHi *= 2;
        else
            xLo -= 0.5, xHi += 0.5;
    }
    if (L.logX && !(xLo > 0)) xLo = 1, xHi = std::max(xHi, 10.0);
    if (L.logY) {
        if (yLo == yHi) yLo /= 2, yHi *= 2;
        const double pad = std::pow(10.0, 0.05 * std::log10(yHi / yLo));
        yLo /= pad, yHi *= pad;
    } else {
        const double pad = yHi > yLo ? 0.05 * (yHi - yLo) : 0.5;
        yLo -= pad, yHi += pad;
    }
    L.xLo = xLo, L.xHi = xHi, L.yLo = yLo, L.yHi = yHi;

    double top = page.top();
    if (options.title) {
        L.titleLines = splitTitle(data.title, tfm, page.width());
        for (qsizetype i = 0; i < L.titleLines.size(); ++i, top += tfm.height())
            L.titleRects.emplace_back(page.left(), top, page.width(), tfm.height());
        if (!L.titleLines.isEmpty()) top += kGap;
    }
    const bool lettered = data.cursor >= 0; // the cursor is always labelled (B, or its step)
    const double letterLine = lettered ? fm.height() : fm.height() / 2; // half a line: the top y label

    // Legend geometry: one entry is a line sample and the series name.
    LegendLayout& legend = L.legend;
    const bool wantLegend = options.legend && legend.entries.size() > 1;
    double entryW = 0;
    for (int i : legend.entries) entryW = std::max(entryW, fm.horizontalAdvance(legendText(data.lines[i])));
    legend.columnWidth = kLegendIcon + 3 + entryW + 6;
    legend.rowHeight = fm.height();
    const auto legendSize = [&](int columns) {
        const int rows = int((legend.entries.size() + columns - 1) / columns);
        return QSizeF(columns * legend.columnWidth + 2 * kLegendPad - 6, rows * legend.rowHeight + 2);
    };

    // Everything else follows from where the legend goes; try a corner inside the data first, then outside.
    const auto arrange = [&](LegendLayout::Place place) {
        legend.place = wantLegend ? place : LegendLayout::Place::None;
        legend.columns = 1;
        double plotTop = top, rightReserve = 0;
        if (legend.place == LegendLayout::Place::Above) {
            legend.columns = std::max(1, int((page.width() + 6) / legend.columnWidth));
            legend.columns = std::min<int>(legend.columns, int(legend.entries.size()));
            const QSizeF s = legendSize(legend.columns);
            legend.rect =
                QRectF(page.left() + (page.width() - s.width()) / 2, plotTop, s.width(), s.height());
            plotTop += s.height() + kGap;
        } else if (legend.place == LegendLayout::Place::Right) {
            rightReserve = legendSize(1).width() + 2 * kGap;
        } else if (legend.place == LegendLayout::Place::Corner) {
            legend.columns = legend.entries.size() > 4 ? 2 : 1;
        }
        plotTop += letterLine;
        const double bottom = page.bottom() - kTickLen - kGap / 2 - fm.height() -
                              (data.xLabel.isEmpty() ? fm.height() / 2 : kGap + fm.height());
        const double plotH = std::max(10.0, bottom - plotTop);
        const auto yPos = [&](double v) {
            return L.logY ? plotH * std::log10(v / yLo) / std::log10(yHi / yLo)
                          : plotH * (v - yLo) / (yHi - yLo);
        };
        const bool plainLog = yLo >= 9e-4 && yHi <= 1.1e4;
        L.yTicks = chooseTicks(
            yLo, yHi, L.logY, fm.height(),
            [&](double v, double step) { return yLabel(v, step, L.logY, plainLog); }, yPos,
            [&](const QString&) { return fm.height(); });
        // Unlabelled minor ticks at 2…9 × 10ᵈ on a log axis show that it is one.
        L.yMinorTicks.clear();
        if (L.logY)
            for (int d = int(std::floor(std::log10(yLo))); d <= int(std::ceil(std::log10(yHi))); ++d)
                for (int m = 2; m <= 9; ++m)
                    if (const double v = m * std::pow(10.0, d); v >= yLo && v <= yHi)
                        L.yMinorTicks.push_back(v);
        double yLabelW = 0;
        for (const AxisTick& t : L.yTicks) yLabelW = std::max(yLabelW, fm.horizontalAdvance(t.label));
        const double left =
            page.left() + (data.yLabel.isEmpty() ? 0 : fm.height() + kGap) + yLabelW + kGap + kTickLen;
        // The last x label may stick out past the frame by half its width.
        const double right = page.right() - rightReserve -
                             std::max(4.0, fm.horizontalAdvance(xLabel(xHi, xHi >= 10000 ? 1000 : 1)) / 2);
        L.plot = QRectF(QPointF(left, plotTop), QPointF(std::max(left + 10, right), plotTop + plotH));
        const auto xPos = [&](double v) {
            return L.logX ? L.plot.width() * std::log10(v / xLo) / std::log10(xHi / xLo)
                          : L.plot.width() * (v - xLo) / (xHi - xLo);
        };
        const auto xTickLabel = [&](double v, double step) {
            return L.logX ? QString::number(v, 'g', 3) : xLabel(v, step);
        };
        L.xTicks = chooseTicks(xLo, xHi, L.logX, fm.horizontalAdvance(QStringLiteral("00")), xTickLabel, xPos,
                               [&](const QString& s) { return fm.horizontalAdvance(s); });
        for (AxisTick& t : L.xTicks) {
            const double w = fm.horizontalAdvance(t.label);
            t.labelRect = QRectF(L.map(t.value, yLo).x() - w / 2, L.plot.bottom() + kTickLen + kGap / 2, w,
                                 fm.height());
        }
        for (AxisTick& t : L.yTicks)
            t.labelRect = QRectF(L.plot.left() - kTickLen - kGap - yLabelW,
                                 L.map(xLo, t.value).y() - fm.height() / 2, yLabelW, fm.height());
        L.xLabelRect = data.xLabel.isEmpty()
                           ? QRectF()
                           : QRectF(L.plot.left(), L.plot.bottom() + kTickLen + kGap / 2 + fm.height() + kGap,
                                    L.plot.width(), fm.height());
        L.yLabelRect = data.yLabel.isEmpty()
                           ? QRectF()
                           : QRectF(page.left(), L.plot.top(), fm.height(), L.plot.height());
        if (legend.place == LegendLayout::Place::Right) {
            const QSizeF s = legendSize(1);
            legend.rect = QRectF(page.right() - s.width(), L.plot.top(), s.width(), s.height());
        }
    };

    if (wantLegend) {
        arrange(LegendLayout::Place::Corner);
        const std::vector<QLineF> segs = L.segments(data);
        const QSizeF s = legendSize(legend.columns);
        const QRectF inner = L.plot.adjusted(3, 3, -3, -3);
        const std::array<QRectF, 4> corners{
            QRectF(QPointF(inner.right() - s.width(), inner.top()), s),
            QRectF(inner.topLeft(), s),
            QRectF(inner.bottomRight() - QPointF(s.width(), s.height()), s),
            QRectF(QPointF(inner.left(), inner.bottom() - s.height()), s),
        };
        bool placed = false;
        if (s.width() < 0.45 * L.plot.width() && s.height() < 0.6 * L.plot.height())
            for (const QRectF& c : corners) {
                // A little clearance around the frame: a curve that grazes it reads as covered.
                const QRectF guard = c.adjusted(-2, -2, 2, 2);
                if (std::none_of(segs.begin(), segs.end(),
                                 [&](const QLineF& seg) { return crosses(seg, guard); })) {
                    legend.rect = c;
                    placed = true;
                    break;
                }
            }
        if (!placed) {
            // No empty corner: beside the data on a wide figure, above it otherwise.
            const bool roomRight = legendSize(1).width() < 0.22 * page.width();
            arrange(roomRight ? LegendLayout::Place::Right : LegendLayout::Place::Above);
        }
    } else {
        arrange(LegendLayout::Place::None);
    }

    if (lettered) {
        // Letters above the frame, each on the outer side of its line so close cursors do not collide.
        const double a = L.map(data.pinCursor, yLo).x(), b = L.map(data.cursor, yLo).x();
        QFont bold = L.font;
        bold.setBold(true);
        const QFontMetricsF bfm(bold, device);
        L.bText = data.pinCursor >= 0 ? QStringLiteral("B") : QStringLiteral("step %1").arg(data.cursor);
        const auto place = [&](double x, bool leftSide, const QString& text) {
            const double w = bfm.horizontalAdvance(text) + 1;
            QRectF r(leftSide ? x - w - 1 : x + 1, L.plot.top() - fm.height(), w, fm.height());
            if (r.left() < page.left()) r.moveLeft(page.left());
            if (r.right() > page.right()) r.moveRight(page.right());
            return r;
        };
        if (data.pinCursor >= 0 && data.pinCursor >= xLo && data.pinCursor <= xHi)
            L.aLabelRect = place(a, a <= b, QStringLiteral("A"));
        if (data.cursor >= xLo && data.cursor <= xHi)
            L.bLabelRect = place(b, data.pinCursor >= 0 ? b < a : b > L.plot.center().x(), L.bText);
    }
    return L;
}

} // namespace attnscope::figures
