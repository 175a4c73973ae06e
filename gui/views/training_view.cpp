#include "gui/views/training_view.h"

#include "gui/session/run_registry.h"
#include "gui/views/curve_chart.h"
#include "gui/views/layer_charts.h"
#include "gui/views/snapshot_scalars.h"
#include "gui/widgets/chart_help.h"

#include <QGridLayout>
#include <QResizeEvent>
#include <algorithm>
#include <cmath>

namespace attnscope::gui {

TrainingView::TrainingView(RunRegistry& registry, ChartSettings& settings, QWidget* parent)
    : RunView(registry, settings, parent) {
    m_grid = new QGridLayout(this);
    m_grid->setContentsMargins(4, 4, 4, 4);
    m_grid->setSpacing(6);
    m_loss = new CurveChart("training/loss", tr("Loss — train, ● validation"), &settings, this);
    m_grad =
        new CurveChart("training/gradnorm", tr("Gradient norm (before clipping)"), &settings, this, true);
    m_lr = new CurveChart("training/lr", tr("Learning rate"), &settings, this);
    m_outLogits =
        new CurveChart("training/outlogits", tr("Output logits: max |z|; log Z - -"), &settings, this);
    m_lambda = new CurveChart("training/lambda", tr("ResFormer λ₁ (V₁ weight); λ₂ - -"), &settings, this);
    m_tokens = new CurveChart("training/tokens", tr("Throughput (tokens/s)"), &settings, this);
    m_lambda->setPlaceholder(tr("no run with a learnable value residual"));
    m_loss->setPlaceholder(tr("no run yet — press ▶ Start training"));
    m_outLogits->setPlaceholder(tr("no probe snapshot yet"));
    // Each chart with its "what am I seeing" line under it (resources/lessons/charts.json).
    const std::pair<CurveChart*, const char*> cells[] = {{m_loss, "loss"},     {m_grad, "grad-norm"},
                                                         {m_lr, "lr"},         {m_outLogits, "out-logits"},
                                                         {m_lambda, "lambda"}, {m_tokens, "throughput"}};
    for (const auto& [chart, key] : cells)
        m_cells.push_back({chart, new ChartCaption(QString::fromLatin1(key), this)});
    arrange(3);
    rebuild();
}

void TrainingView::resizeEvent(QResizeEvent* event) {
    RunView::resizeEvent(event);
    // Three columns while each chart keeps LayerCharts::kMinChartWidth pixels, fewer on a narrow page.
    const int columns = std::clamp(width() / LayerCharts::kMinChartWidth, 1, 3);
    if (columns != m_columns) arrange(columns);
}

void TrainingView::arrange(int columns) {
    m_columns = columns;
    for (const auto& [chart, caption] : m_cells) {
        m_grid->removeWidget(chart);
        m_grid->removeWidget(caption);
    }
    for (int r = 0; r < m_grid->rowCount(); ++r) m_grid->setRowStretch(r, 0);
    for (int c = 0; c < m_grid->columnCount(); ++c) m_grid->setColumnStretch(c, 0);
    for (int i = 0; i < int(m_cells.size()); ++i) {
        m_grid->addWidget(m_cells[std::size_t(i)].first, 2 * (i / columns), i % columns);
        m_grid->addWidget(m_cells[std::size_t(i)].second, 2 * (i / columns) + 1, i % columns);
        m_grid->setRowStretch(2 * (i / columns), 1);
    }
    for (int c = 0; c < columns; ++c) m_grid->setColumnStretch(c, 1);
}

std::vector<CurveChart*> TrainingView::charts() const {
    return {m_loss, m_grad, m_lr, m_outLogits, m_lambda, m_tokens};
}

void TrainingView::addRun(const RunData& run) {
    RunSeries rs;
    auto style = [&](const QString& what, bool smoothable = true) {
        SeriesStyle s;
        s.name = seriesName(run, what);
        s.color = run.color;
        s.group = run.id;
        s.smoothable = smoothable;
        return s;
    };
    rs.loss = m_loss->addSeries(style(tr("train")));
    SeriesStyle val = style(tr("validation"), false);
    val.points = true;
    val.pen = Qt::DashLine;
    rs.val = m_loss->addSeries(val);
    rs.grad = m_grad->addSeries(style(tr("grad norm")));
    rs.lr = m_lr->addSeries(style(tr("lr"), false));
    rs.tokens = m_tokens->addSeries(style(tr("tokens/s")));
    // Probe metrics are exact evaluations on a fixed sequence, not noisy minibatch estimates: not smoothed.
    rs.outMax = m_outLogits->addSeries(style(tr("max |logit|"), false));
    SeriesStyle logZ = style(tr("mean log Z"), false);
    logZ.pen = Qt::DashLine;
    rs.logZ = m_outLogits->addSeries(logZ);
    m_runs[run.id] = rs;
}

int TrainingView::lambdaSeries(const RunData& run, RunSeries& rs, const std::string& name) {
    auto it = rs.lambdas.find(name);
    if (it != rs.lambdas.end()) return it->second;
    const int layer = std::max(0, layerOfScalar(name));
    const bool second = name.rfind("lambda2/", 0) == 0;
    SeriesStyle s = probeSeries(run, QStringLiteral("%1 L%2").arg(second ? "λ₂" : "λ₁").arg(layer),
                                lineColor(run, layer, run.spec.model.layers));
    s.pen = second ? Qt::DashLine : Qt::SolidLine;
    const int id = m_lambda->addSeries(s);
    rs.lambdas[name] = id;
    return id;
}

void TrainingView::consumeNew(const RunData& run) {
    auto found = m_runs.find(run.id);
    if (found == m_runs.end()) return;
    RunSeries& rs = found->second;
    for (; rs.steps < run.steps.size(); ++rs.steps) {
        const StepRecord& r = run.steps[rs.steps];
        m_loss->append(rs.loss, r.step, r.loss);
        if (std::isfinite(r.valLoss)) m_loss->append(rs.val, r.step, r.valLoss);
        m_grad->append(rs.grad, r.step, r.gradNorm);
        m_lr->append(rs.lr, r.step, r.lr);
        if (r.tokensPerSec > 0) m_tokens->append(rs.tokens, r.step, r.tokensPerSec);
    }
    for (; rs.snapshots < run.snapshots.size(); ++rs.snapshots) {
        const ProbeSnapshot& s = *run.snapshots[rs.snapshots];
        m_outLogits->append(rs.outMax, s.step, s.outLogitMax);
        m_outLogits->append(rs.logZ, s.step, s.meanLogZ);
        for (const std::string& prefix : {std::string("lambda1/"), std::string("lambda2/")})
            for (const std::string& name : scalarNamesWithPrefix(s, prefix))
                m_lambda->append(lambdaSeries(run, rs, name), s.step, scalarValue(s, name));
    }
    markEvents(*m_loss, run, rs.events,
               {int(EventKind::LossSpike), int(EventKind::NonFinite), int(EventKind::Diverged),
                int(EventKind::PhaseChange)});
    rs.events = run.events.size();
}

void TrainingView::forgetRun(int runId) {
    m_runs.erase(runId);
}

void TrainingView::afterUpdate() {
    const RunData* reference = keyReference();
    const bool lambdas = reference && reference->spec.model.valueResidual == ValueResidual::Learnable;
    m_lambda->setKey(lambdas ? lineKey(reference->spec.model.layers, QStringLiteral("L")) : QString());
}

} // namespace attnscope::gui
