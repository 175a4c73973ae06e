#include "gui/sweeps/sweep_charts.h"

#include "figures/palette.h"
#include "gui/sweeps/sweep_folder.h"
#include "gui/sweeps/variant_seed_chart.h"
#include "gui/views/chart_style.h"
#include "gui/views/log_ticker.h"
#include "gui/widgets/chart_help.h"
#include "gui/widgets/display_scale.h"

#include <QBoxLayout>
#include <QEvent>
#include <QFontMetrics>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <map>
#include <qcustomplot.h>

namespace attnscope::gui {

namespace {

void styleLegend(QCustomPlot* plot) {
    plot->legend->setFont(chartSmallFont());
    plot->legend->setTextColor(chartInk(0));
    plot->legend->setBrush(chartBackground(215));
    plot->legend->setBorderPen(QPen(chartInk(0.75)));
}

QCustomPlot* makePlot(QWidget* parent, const QString& y) {
    auto* plot = new QCustomPlot(parent);
    plot->setMinimumSize(260, 240);
    plot->xAxis->setLabel(QObject::tr("peak learning rate η (log)"));
    plot->yAxis->setLabel(y);
    plot->xAxis->setScaleType(QCPAxis::stLogarithmic);
    plot->legend->setVisible(true);
    // Inside the axes, in the emptiest corner (placeLegend); a legend row under the axes clipped the names at
    // this width.
    styleLegend(plot);
    return plot;
}

QWidget* withCaption(QWidget* parent, QCustomPlot* plot, const QString& key, ChartCaption** captionOut) {
    auto* box = new QWidget(parent);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(plot, 1);
    auto* caption = new ChartCaption(key, box);
    plot->setToolTip(caption->toolTip());
    *captionOut = caption;
    layout->addWidget(caption);
    return box;
}

// Puts the legend in the corner of the axes that covers the fewest drawn points (top left on a tie).
void placeLegend(QCustomPlot* plot) {
    const Qt::Alignment corners[] = {Qt::AlignTop | Qt::AlignLeft, Qt::AlignTop | Qt::AlignRight,
                                     Qt::AlignBottom | Qt::AlignRight, Qt::AlignBottom | Qt::AlignLeft};
    int count[4] = {0, 0, 0, 0};
    // Fraction along an axis from its lower end, in the axis's own scale (no pixels: the chart may not be
    // laid out yet).
    auto fraction = [](const QCPAxis* axis, double v) {
        const QCPRange range = axis->range();
        return axis->scaleType() == QCPAxis::stLogarithmic
                   ? std::log(v / range.lower) / std::log(range.upper / range.lower)
                   : (v - range.lower) / range.size();
    };
    for (int g = 0; g < plot->graphCount(); ++g) {
        QCPGraph* graph = plot->graph(g);
        for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
            const double fx = fraction(plot->xAxis, it->key);
            const double fy = 1 - fraction(plot->yAxis, it->value); // 0 at the top
            const bool left = fx<0.45, right = fx> 0.55, top = fy<0.5, bottom = fy> 0.5;
            count[0] += left && top, count[1] += right && top, count[2] += right && bottom,
                count[3] += left && bottom;
        }
    }
    const int best = int(std::min_element(count, count + 4) - count);
    plot->axisRect()->insetLayout()->setInsetAlignment(0, corners[best]);
}

QString lrText(double lr) {
    return QString::number(lr, 'g', 2);
}

} // namespace

SweepCharts::SweepCharts(QWidget* parent) : QWidget(parent) {
    auto* layout = new QBoxLayout(QBoxLayout::LeftToRight, this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_loss = makePlot(this, tr("final validation loss (nats)"));
    m_loss->setObjectName(QStringLiteral("sweepLossPlot"));
    m_logit = makePlot(this, tr("final max logit (log)"));
    m_logit->setObjectName(QStringLiteral("sweepLogitPlot"));
    m_logit->yAxis->setScaleType(QCPAxis::stLogarithmic);
    m_logit->yAxis->setTicker(QSharedPointer<LogTicker>::create());
    layout->addWidget(withCaption(this, m_loss, QStringLiteral("sweep-lr-loss"), &m_lossCaption), 1);
    layout->addWidget(withCaption(this, m_logit, QStringLiteral("sweep-lr-logit"), &m_logitCaption), 1);
}

void SweepCharts::setStacked(bool stacked) {
    static_cast<QBoxLayout*>(layout())->setDirection(stacked ? QBoxLayout::TopToBottom
                                                             : QBoxLayout::LeftToRight);
}

std::vector<QCPGraph*> SweepCharts::graphs(QCustomPlot* plot, const QString& role) {
    std::vector<QCPGraph*> out;
    for (int i = 0; i < plot->graphCount(); ++i)
        if (plot->graph(i)->property("role").toString() == role) out.push_back(plot->graph(i));
    return out;
}

void SweepCharts::setData(std::shared_ptr<const SweepData> data) {
    m_data = std::move(data);
    m_curves = m_data ? lrCurves(*m_data) : std::vector<VariantCurve>{};
    draw(m_loss, false);
    draw(m_logit, true);
}

// The LR charts or the per-variant ones: x axis, and the caption and tooltip that explain them.
void SweepCharts::setLrLayout(QCustomPlot* plot, bool lr) {
    const bool logit = plot == m_logit;
    ChartCaption* caption = logit ? m_logitCaption : m_lossCaption;
    caption->setKey(QStringLiteral("sweep-%1-%2").arg(lr ? "lr" : "variant", logit ? "logit" : "loss"));
    plot->setToolTip(caption->toolTip());
    plot->xAxis->setScaleType(lr ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    plot->xAxis->setLabel(lr ? tr("peak learning rate η (log)") : tr("variant"));
}

void SweepCharts::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (!isAppearanceChange(event)) return; // axes, text and legend are drawn from the font and palette
    for (QCustomPlot* plot : {m_loss, m_logit}) styleLegend(plot);
    draw(m_loss, false);
    draw(m_logit, true);
}

void SweepCharts::draw(QCustomPlot* plot, bool logit) {
    plot->clearGraphs();
    plot->clearPlottables();
    plot->clearItems();
    styleChartAxes(*plot);
    const bool lr = !m_curves.empty() || !m_data || m_data->cells.empty();
    setLrLayout(plot, lr);
    if (!lr) {
        drawVariantSeeds(plot, *m_data, logit);
        plot->legend->setVisible(plot->legend->itemCount() > 0);
    } else if (m_curves.empty()) {
        plot->legend->setVisible(false);
        showNoData(plot);
        plot->replot();
        return;
    } else {
        plot->legend->setVisible(true);
        const LrExtent extent = drawLrCurves(plot, logit);
        if (logit)
            plot->yAxis->setRange(extent.yLo / 1.6, extent.yHi * 1.6);
        else
            setLossRange(plot, extent);
        plot->xAxis->setRange(extent.lo / 1.5, extent.hi * 1.5);
        markDivergedCells(plot, logit);
        if (extent.anyDiverged) addDivergedKey(plot, logit);
    }
    placeLegend(plot);
    plot->replot();
}

void SweepCharts::showNoData(QCustomPlot* plot) const {
    auto* text = new QCPItemText(plot);
    text->position->setType(QCPItemPosition::ptAxisRectRatio);
    text->position->setCoords(0.5, 0.5);
    text->setColor(chartInk(0.4));
    text->setFont(chartSmallFont());
    text->setText(!m_data ? tr("Open a sweep folder (File › Open sweep…)") : tr("This sweep has no cells."));
    plot->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
}

// Ticks at the grid's learning rates; per variant the ± 1 sd band, the mean line and the diverged crosses
// (NaN values are placed by markDivergedCells once the range is known). Returns the extent drawn.
SweepCharts::LrExtent SweepCharts::drawLrCurves(QCustomPlot* plot, bool logit) const {
    LrExtent e;
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (const LrPoint& p : m_curves.front().points) {
        ticker->addTick(p.lr, lrText(p.lr));
        e.lo = std::min(e.lo, p.lr), e.hi = std::max(e.hi, p.lr);
    }
    plot->xAxis->setTicker(ticker);
    for (std::size_t v = 0; v < m_curves.size(); ++v) {
        const VariantCurve& c = m_curves[v];
        const QColor color = sweepVariantColor(int(v));
        QCPGraph* lower = plot->addGraph();
        QCPGraph* upper = plot->addGraph();
        QCPGraph* mean = plot->addGraph();
        QCPGraph* diverged = plot->addGraph();
        lower->setProperty("role", QStringLiteral("band-lower"));
        upper->setProperty("role", QStringLiteral("band-upper"));
        mean->setProperty("role", QStringLiteral("mean"));
        diverged->setProperty("role", QStringLiteral("diverged"));
        for (QCPGraph* g : {lower, upper, diverged}) g->removeFromLegend();
        QColor band = color;
        band.setAlpha(50);
        lower->setPen(Qt::NoPen);
        upper->setPen(Qt::NoPen);
        upper->setBrush(band);
        upper->setChannelFillGraph(lower);
        mean->setPen(QPen(color, 2 * lineScale()));
        mean->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6 * lineScale()));
        mean->setName(c.label);
        diverged->setLineStyle(QCPGraph::lsNone);
        diverged->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCross, QPen(color, 2 * lineScale()),
                                                  QBrush(), 11 * lineScale()));
        for (const LrPoint& p : c.points) {
            const Stat& s = logit ? p.logit : p.loss;
            if (s.n > 0 && std::isfinite(s.mean) && (!logit || s.mean > 0)) {
                mean->addData(p.lr, s.mean);
                const double sd = s.n > 1 && std::isfinite(s.sd) ? s.sd : 0;
                // On the log axis the band stops at a tenth of the mean rather than at or below zero.
                const double bandLow = logit ? std::max(s.mean - sd, 0.1 * s.mean) : s.mean - sd;
                lower->addData(p.lr, bandLow);
                upper->addData(p.lr, s.mean + sd);
                e.yLo = std::min(e.yLo, bandLow);
                e.yHi = std::max(e.yHi, s.mean + sd);
            }
            if (p.diverged > 0) {
                e.anyDiverged = true;
                const double y = logit ? p.divergedLogit : p.divergedLoss;
                diverged->addData(p.lr, y); // NaN: placed at the top once the range is known
                if (std::isfinite(y) && (!logit || y > 0))
                    e.yLo = std::min(e.yLo, y), e.yHi = std::max(e.yHi, y);
            }
        }
    }
    if (!std::isfinite(e.yLo)) e.yLo = logit ? 1 : 0, e.yHi = logit ? 10 : 1;
    return e;
}

// The LR sensitivity counts no loss above ℓ0 (min(ℓ, ℓ0)): the axis stops just above the highest ℓ0, drawn
// as a dashed line, and a loss beyond it (a run that blew up without a NaN) leaves the chart with its value
// written at the top.
void SweepCharts::setLossRange(QCustomPlot* plot, LrExtent e) const {
    double init = -INFINITY;
    for (const VariantCurve& c : m_curves)
        for (const LrPoint& p : c.points)
            if (std::isfinite(p.initLoss)) init = std::max(init, p.initLoss);
    if (std::isfinite(init)) e.yHi = std::min(e.yHi, init), e.yLo = std::min(e.yLo, init);
    const double pad = std::max(0.05, 0.08 * (e.yHi - e.yLo));
    plot->yAxis->setRange(e.yLo - pad, e.yHi + pad);
    if (std::isfinite(init)) drawInitLossLine(plot, init, e);
    writeOffChartLosses(plot);
}

void SweepCharts::drawInitLossLine(QCustomPlot* plot, double init, const LrExtent& e) {
    auto* line = new QCPItemStraightLine(plot);
    line->point1->setCoords(e.lo, init);
    line->point2->setCoords(e.hi, init);
    line->setPen(QPen(chartInk(0.5), lineScale(), Qt::DashLine));
    auto* label = new QCPItemText(plot); // below the line, between the legend and the off-chart values
    label->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    label->position->setCoords(0.46, init);
    label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    label->setFont(chartSmallFont());
    label->setColor(chartInk(0.35));
    label->setText(tr("ℓ0 = loss at init"));
    label->setBrush(chartBackground(210));
}

// Values off the top, stacked per LR, left of their point (the last LR sits at the right edge).
void SweepCharts::writeOffChartLosses(QCustomPlot* plot) const {
    const QFont font = chartSmallFont();
    const int rowHeight = QFontMetrics(font).height();
    std::map<double, int> stacked;
    for (std::size_t v = 0; v < m_curves.size(); ++v)
        for (const LrPoint& p : m_curves[v].points)
            if (p.loss.n > 0 && p.loss.mean > plot->yAxis->range().upper) {
                auto* off = new QCPItemText(plot);
                off->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
                off->position->setCoords(p.lr, 0.0);
                off->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
                off->setPadding(QMargins(0, 2 + rowHeight * stacked[p.lr]++, 4, 0));
                off->setFont(font);
                off->setColor(sweepVariantColor(int(v)));
                off->setText(QStringLiteral("↑ %1").arg(formatStat(p.loss)));
            }
}

// Diverged cells without a finite value sit at the top edge; one "diverged" per LR, above and left of its
// highest cross (the last LR sits at the right edge, where a label to the right would be clipped), in the
// colour of that cross's variant.
void SweepCharts::markDivergedCells(QCustomPlot* plot, bool logit) {
    const double top = logit ? plot->yAxis->range().upper / 1.15
                             : plot->yAxis->range().upper - 0.03 * plot->yAxis->range().size();
    for (QCPGraph* g : graphs(plot, QStringLiteral("diverged")))
        for (auto it = g->data()->begin(); it != g->data()->end(); ++it)
            if (!std::isfinite(it->value)) it->value = top;
    std::map<double, std::pair<double, QColor>> highest;
    for (QCPGraph* g : graphs(plot, QStringLiteral("diverged")))
        for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
            auto& h = highest.try_emplace(it->key, it->value, g->scatterStyle().pen().color()).first->second;
            if (it->value > h.first) h = {it->value, g->scatterStyle().pen().color()};
        }
    for (const auto& [lr, h] : highest) {
        auto* label = new QCPItemText(plot);
        label->position->setCoords(lr, h.first);
        label->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
        label->setPadding(QMargins(0, 0, 6, 4));
        label->setFont(chartSmallFont());
        label->setColor(h.second);
        label->setText(tr("diverged"));
    }
}

void SweepCharts::addDivergedKey(QCustomPlot* plot, bool logit) {
    QCPGraph* key = plot->addGraph(); // a legend entry for the cross, drawn nowhere
    key->setProperty("role", QStringLiteral("legend"));
    key->setLineStyle(QCPGraph::lsNone);
    key->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCross, QPen(chartInk(0), 2 * lineScale()),
                                         QBrush(), 9 * lineScale()));
    key->setName(logit ? tr("diverged (peak logit)") : tr("diverged (at ℓ0)"));
}

} // namespace attnscope::gui
