#include "gui/sweeps/sweep_charts.h"

#include "gui/session/run_palette.h"
#include "gui/sweeps/sweep_folder.h"
#include "gui/views/log_ticker.h"
#include "gui/widgets/chart_help.h"

#include <QHBoxLayout>
#include <QVBoxLayout>
#include <cmath>
#include <qcustomplot.h>

namespace attnscope::gui {

namespace {

QColor variantColor(std::size_t i) {
    const auto& a = runPalette();
    const auto& b = extendedRunPalette();
    return i < a.size() ? a[i] : b[(i - a.size()) % b.size()];
}

QCustomPlot* makePlot(QWidget* parent, const QString& y) {
    auto* plot = new QCustomPlot(parent);
    plot->setMinimumSize(300, 240);
    plot->xAxis->setLabel(QObject::tr("peak learning rate η (log)"));
    plot->yAxis->setLabel(y);
    plot->xAxis->setScaleType(QCPAxis::stLogarithmic);
    plot->legend->setVisible(true);
    plot->legend->setFont(QFont(plot->font().family(), 8));
    // Top left, inside the axes: at low LR every variant's loss and logit sit low, so that corner is empty
    // (a legend row under the axes clipped the names at this width).
    plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    plot->legend->setBrush(QColor(255, 255, 255, 215));
    plot->legend->setBorderPen(QPen(QColor(200, 200, 200)));
    return plot;
}

QWidget* withCaption(QWidget* parent, QCustomPlot* plot, const QString& key) {
    auto* box = new QWidget(parent);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(plot, 1);
    auto* caption = new ChartCaption(key, box);
    plot->setToolTip(caption->toolTip());
    layout->addWidget(caption);
    return box;
}

QString lrText(double lr) {
    return QString::number(lr, 'g', 2);
}

} // namespace

SweepCharts::SweepCharts(QWidget* parent) : QWidget(parent) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_loss = makePlot(this, tr("final validation loss (nats)"));
    m_loss->setObjectName(QStringLiteral("sweepLossPlot"));
    m_logit = makePlot(this, tr("final max logit (log)"));
    m_logit->setObjectName(QStringLiteral("sweepLogitPlot"));
    m_logit->yAxis->setScaleType(QCPAxis::stLogarithmic);
    m_logit->yAxis->setTicker(QSharedPointer<LogTicker>::create());
    layout->addWidget(withCaption(this, m_loss, QStringLiteral("sweep-lr-loss")), 1);
    layout->addWidget(withCaption(this, m_logit, QStringLiteral("sweep-lr-logit")), 1);
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

void SweepCharts::draw(QCustomPlot* plot, bool logit) {
    plot->clearGraphs();
    plot->clearItems();
    if (m_curves.empty()) {
        auto* text = new QCPItemText(plot);
        text->position->setType(QCPItemPosition::ptAxisRectRatio);
        text->position->setCoords(0.5, 0.5);
        text->setColor(QColor(120, 120, 120));
        text->setText(!m_data ? tr("Open a sweep folder (File › Open sweep…)")
                              : tr("This sweep has no learning-rate axis:\nits results are in the table below."));
        plot->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
        plot->replot();
        return;
    }
    // Ticks exactly at the grid's learning rates.
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    double lo = INFINITY, hi = -INFINITY, yLo = INFINITY, yHi = -INFINITY;
    for (const LrPoint& p : m_curves.front().points) {
        ticker->addTick(p.lr, lrText(p.lr));
        lo = std::min(lo, p.lr), hi = std::max(hi, p.lr);
    }
    plot->xAxis->setTicker(ticker);
    bool anyDiverged = false;
    for (std::size_t v = 0; v < m_curves.size(); ++v) {
        const VariantCurve& c = m_curves[v];
        const QColor color = variantColor(v);
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
        mean->setPen(QPen(color, 2));
        mean->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));
        mean->setName(c.label);
        diverged->setLineStyle(QCPGraph::lsNone);
        diverged->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCross, QPen(color, 2), QBrush(), 11));
        for (const LrPoint& p : c.points) {
            const Stat& s = logit ? p.logit : p.loss;
            if (s.n > 0 && std::isfinite(s.mean) && (!logit || s.mean > 0)) {
                mean->addData(p.lr, s.mean);
                const double sd = s.n > 1 && std::isfinite(s.sd) ? s.sd : 0;
                // On the log axis the band stops at a tenth of the mean rather than at or below zero.
                lower->addData(p.lr, logit ? std::max(s.mean - sd, 0.1 * s.mean) : s.mean - sd);
                upper->addData(p.lr, s.mean + sd);
                yLo = std::min(yLo, logit ? std::max(s.mean - sd, 0.1 * s.mean) : s.mean - sd);
                yHi = std::max(yHi, s.mean + sd);
            }
            if (p.diverged > 0) {
                anyDiverged = true;
                const double y = logit ? p.divergedLogit : p.divergedLoss;
                diverged->addData(p.lr, y); // NaN: placed at the top once the range is known
                if (std::isfinite(y) && (!logit || y > 0)) yLo = std::min(yLo, y), yHi = std::max(yHi, y);
            }
        }
    }
    if (!std::isfinite(yLo)) yLo = logit ? 1 : 0, yHi = logit ? 10 : 1;
    if (logit) {
        plot->yAxis->setRange(yLo / 1.6, yHi * 1.6);
    } else {
        const double pad = std::max(0.05, 0.08 * (yHi - yLo));
        plot->yAxis->setRange(yLo - pad, yHi + pad);
    }
    plot->xAxis->setRange(lo / 1.5, hi * 1.5);
    // Diverged cells without a finite value sit at the top edge, with a label naming them.
    const double top = logit ? plot->yAxis->range().upper / 1.15
                             : plot->yAxis->range().upper - 0.03 * plot->yAxis->range().size();
    for (QCPGraph* g : graphs(plot, QStringLiteral("diverged")))
        for (auto it = g->data()->begin(); it != g->data()->end(); ++it)
            if (!std::isfinite(it->value)) it->value = top;
    for (QCPGraph* g : graphs(plot, QStringLiteral("diverged")))
        for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
            auto* label = new QCPItemText(plot);
            label->position->setCoords(it->key, it->value);
            label->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
            label->setPadding(QMargins(8, 0, 0, 0));
            label->setFont(QFont(plot->font().family(), 8));
            label->setColor(g->scatterStyle().pen().color());
            label->setText(tr("diverged"));
        }
    if (anyDiverged) {
        QCPGraph* key = plot->addGraph(); // a legend entry for the cross, drawn nowhere
        key->setProperty("role", QStringLiteral("legend"));
        key->setLineStyle(QCPGraph::lsNone);
        key->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCross, QPen(Qt::black, 2), QBrush(), 9));
        key->setName(tr("diverged (at ℓ0)"));
        if (logit) key->setName(tr("diverged (peak logit)"));
    }
    plot->replot();
}

} // namespace attnscope::gui
