// The figures library without widgets: curve layout promises (everything on the page, tick labels that do
// not collide, readable 1-2-5 or decade ticks, a legend that covers no data, titles that fit one column)
// and a painted figure that puts each curve where the layout says.
#include "figures/curve_layout.h"
#include "figures/figure_painter.h"
#include "figures/palette.h"

#include <QImage>
#include <QPainter>
#include <QtTest>
#include <cmath>
#include <functional>

using namespace attnscope::figures;

namespace {

constexpr double kOneColumn = 3.5 * 72, kTwoColumns = 7.16 * 72;

QImage device() {
    QImage image(10, 10, QImage::Format_ARGB32_Premultiplied);
    const int dpm72 = int(std::lround(72 / 0.0254));
    image.setDotsPerMeterX(dpm72), image.setDotsPerMeterY(dpm72);
    return image;
}

// n points of each line over steps 0…lastStep; f(line, t ∈ [0, 1]) gives y.
CurveData curves(int lines, int n, double lastStep, const std::function<double(int, double)>& f) {
    CurveData d;
    d.title = QStringLiteral("exp-logit-growth/baseline · attention entropy · layer 0");
    d.xLabel = QStringLiteral("step");
    d.yLabel = QStringLiteral("entropy (nats)");
    for (int i = 0; i < n; ++i) d.x.push_back(lastStep * i / (n - 1));
    for (int l = 0; l < lines; ++l) {
        CurveLine line{QStringLiteral("H%1").arg(l), {}, categoricalColor(l), false, {}, true};
        for (int i = 0; i < n; ++i) line.y.push_back(f(l, double(i) / (n - 1)));
        d.lines.push_back(line);
    }
    return d;
}

bool isNice(double v) { // 1, 2 or 5 times a power of ten (or zero)
    if (v == 0) return true;
    const double m = std::abs(v) / std::pow(10.0, std::floor(std::log10(std::abs(v)) + 1e-9));
    for (double k : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (std::abs(m - k) < 1e-6) return true;
    return false;
}

void checkReadable(const CurveLayout& L, const QSizeF& page) {
    const QRectF inside(QPointF(0, 0), page);
    auto onPage = [&](const QRectF& r, const char* what) {
        if (r.isEmpty()) return;
        QVERIFY2(inside.contains(r), qPrintable(QStringLiteral("%1 leaves the page").arg(what)));
    };
    for (const QRectF& r : L.titleRects) onPage(r, "title");
    onPage(L.xLabelRect, "x label");
    onPage(L.yLabelRect, "y label");
    onPage(L.legend.rect, "legend");
    QVERIFY(L.xTicks.size() >= 3);
    QVERIFY(L.yTicks.size() >= 3);
    for (std::size_t i = 0; i < L.xTicks.size(); ++i) {
        onPage(L.xTicks[i].labelRect, "x tick label");
        QVERIFY(L.xTicks[i].value >= L.xLo - 1e-9 && L.xTicks[i].value <= L.xHi + 1e-9);
        if (i) QVERIFY2(L.xTicks[i - 1].labelRect.right() < L.xTicks[i].labelRect.left(), "x labels collide");
    }
    for (std::size_t i = 0; i < L.yTicks.size(); ++i) {
        onPage(L.yTicks[i].labelRect, "y tick label");
        if (i) QVERIFY2(!L.yTicks[i - 1].labelRect.intersects(L.yTicks[i].labelRect), "y labels collide");
    }
    QVERIFY(L.plot.width() > 0.5 * page.width());
    QVERIFY(L.plot.height() > 0.4 * page.height());
}

} // namespace

class TestFigures : public QObject {
    Q_OBJECT

private slots:
    void linearTicksAreNiceAndFit() {
        const QImage dev = device();
        for (double width : {kOneColumn, kTwoColumns})
            for (double lastStep : {600.0, 3000.0, 120000.0}) {
                const CurveData d = curves(
                    1, 50, lastStep, [](int, double t) { return 4.6 - 2 * t + 0.1 * std::sin(40 * t); });
                const QSizeF page(width, 2.5 * 72);
                const CurveLayout L = layoutCurves(page, d, FigureOptions{}, &dev);
                checkReadable(L, page);
                // Ticks step by 1, 2 or 5 times a power of ten and sit on multiples of the step.
                for (const std::vector<AxisTick>* ticks : {&L.xTicks, &L.yTicks}) {
                    const double step = (*ticks)[1].value - (*ticks)[0].value;
                    QVERIFY2(isNice(step), qPrintable(QString::number(step)));
                    for (const AxisTick& t : *ticks) {
                        const double k = t.value / step;
                        QVERIFY2(std::abs(k - std::round(k)) < 1e-6, qPrintable(t.label));
                    }
                }
            }
        // Large step counts read as thousands.
        const CurveData d = curves(1, 50, 120000, [](int, double t) { return t; });
        const CurveLayout L = layoutCurves(QSizeF(kOneColumn, 180), d, FigureOptions{}, &dev);
        QVERIFY(L.xTicks.back().label.endsWith(QLatin1Char('k')));
    }

    void logAxisUsesDecades() {
        const QImage dev = device();
        FigureOptions options;
        options.logY = true;
        // Six decades: powers of ten, written as such.
        CurveData d = curves(1, 60, 600, [](int, double t) { return std::pow(10.0, -5 + 6 * t); });
        d.lines[0].y[3] = 0; // not drawable on a log axis: left out, not a crash or a range of −∞
        const CurveLayout L = layoutCurves(QSizeF(kOneColumn, 180), d, options, &dev);
        checkReadable(L, QSizeF(kOneColumn, 180));
        for (const AxisTick& t : L.yTicks) {
            const double e = std::log10(t.value);
            QVERIFY2(std::abs(e - std::round(e)) < 1e-9, qPrintable(t.label));
            QVERIFY2(t.label.startsWith(QStringLiteral("10")), qPrintable(t.label));
        }
        QVERIFY(L.yLo > 0 && L.yLo < 1e-5 && L.yHi > 10);
        // Within one decade: 1-2-5 values as plain numbers (as the app's log charts do).
        const CurveData narrow = curves(1, 60, 600, [](int, double t) { return 0.15 + 1.75 * t; });
        const CurveLayout N = layoutCurves(QSizeF(kOneColumn, 180), narrow, options, &dev);
        QStringList labels;
        for (const AxisTick& t : N.yTicks) labels << t.label;
        QCOMPARE(labels, (QStringList{"0.2", "0.5", "1", "2"}));
    }

    void legendCoversNoData() {
        const QImage dev = device();
        const QSizeF page(kOneColumn, 180);
        // Rising curves leave the top-left and bottom-right corners empty: the legend goes in one of them.
        const CurveData rising = curves(4, 80, 600, [](int l, double t) { return t + 0.05 * l; });
        const CurveLayout L = layoutCurves(page, rising, FigureOptions{}, &dev);
        QCOMPARE(L.legend.place, LegendLayout::Place::Corner);
        QVERIFY(L.plot.contains(L.legend.rect));
        for (const QLineF& s : L.segments(rising))
            QVERIFY2(!L.legend.rect.contains(s.p1()) && !L.legend.rect.contains(s.p2()),
                     "legend covers data");
        // Noise over the whole range fills every corner: the legend moves out of the data area.
        const CurveData noisy = curves(4, 200, 600, [](int l, double t) { return std::sin(97 * t + l); });
        for (double width : {kOneColumn, kTwoColumns}) {
            const CurveLayout M = layoutCurves(QSizeF(width, 180), noisy, FigureOptions{}, &dev);
            QVERIFY(M.legend.place == LegendLayout::Place::Above ||
                    M.legend.place == LegendLayout::Place::Right);
            QVERIFY(!M.legend.rect.intersects(M.plot));
            checkReadable(M, QSizeF(width, 180));
        }
        // One line needs no legend; none when switched off.
        FigureOptions off;
        off.legend = false;
        QCOMPARE(layoutCurves(page, rising, off, &dev).legend.place, LegendLayout::Place::None);
    }

    void longTitleWrapsInsteadOfOverflowing() {
        const QImage dev = device();
        CurveData d = curves(2, 20, 600, [](int l, double t) { return t * l; });
        d.title = QStringLiteral("long-experiment-name/variant · first-token sink score · layer 11");
        const CurveLayout L = layoutCurves(QSizeF(kOneColumn, 180), d, FigureOptions{}, &dev);
        QCOMPARE(L.titleLines.size(), 2);
        QVERIFY(!L.titleLines[0].contains(QChar(0x2026))); // nothing elided: the break is at a separator
        const CurveLayout W = layoutCurves(QSizeF(kTwoColumns, 180), d, FigureOptions{}, &dev);
        QCOMPARE(W.titleLines.size(), 1);
    }

    void cursorsAreLetteredOutsideTheData() {
        const QImage dev = device();
        CurveData d = curves(1, 50, 600, [](int, double t) { return t; });
        d.cursor = 400, d.pinCursor = 390; // close together: letters on either side
        const CurveLayout L = layoutCurves(QSizeF(kOneColumn, 180), d, FigureOptions{}, &dev);
        QVERIFY(!L.aLabelRect.isEmpty() && !L.bLabelRect.isEmpty());
        QVERIFY(!L.aLabelRect.intersects(L.bLabelRect));
        QVERIFY(L.aLabelRect.bottom() <= L.plot.top() && L.bLabelRect.bottom() <= L.plot.top());
    }

    void paintedCurvesFollowTheLayout() {
        // Drawn as a PNG export does: points at 72 dpi, painter scaled (here ×4, so a 1 pt line is 4 px
        // wide).
        const QSizeF page(kOneColumn, 180);
        QImage image(int(4 * page.width()), int(4 * page.height()), QImage::Format_ARGB32_Premultiplied);
        const int dpm72 = int(std::lround(72 / 0.0254));
        image.setDotsPerMeterX(dpm72), image.setDotsPerMeterY(dpm72);
        image.fill(Qt::black);
        CurveData d = curves(1, 50, 600, [](int, double t) { return 1 + t; });
        d.lines[0].color = QColor(255, 0, 0);
        {
            QPainter p(&image);
            p.scale(4, 4);
            paintCurves(p, page, d, FigureOptions{});
        }
        const CurveLayout L = layoutCurves(page, d, FigureOptions{}, &image);
        QCOMPARE(image.pixelColor(1, 1), QColor(Qt::white)); // the page is filled
        for (int i : {5, 25, 45}) {
            const QPoint at = (4 * L.map(d.x[std::size_t(i)], d.lines[0].y[std::size_t(i)])).toPoint();
            const QColor c = image.pixelColor(at);
            QVERIFY2(c.red() > 200 && c.green() < 120,
                     qPrintable(QStringLiteral("%1 at point %2").arg(c.name()).arg(i)));
        }
    }
};

QTEST_MAIN(TestFigures)
#include "tst_figures.moc"
