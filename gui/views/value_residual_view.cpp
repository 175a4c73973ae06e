#include "gui/views/value_residual_view.h"

#include "gui/session/run_registry.h"
#include "gui/views/curve_chart.h"
#include "gui/views/layer_charts.h"
#include "gui/views/snapshot_scalars.h"
#include "gui/widgets/chart_help.h"

#include <QHeaderView>
#include <QScrollArea>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

namespace attnscope::gui {

double kvCacheBytesPerToken(const ModelConfig& m, int T, int b) {
    const double C = m.dModel, L = m.layers;
    // Share of a layer's heads that cache every token; local heads keep min(w, T) of T tokens.
    double share = 1.0;
    if (m.lsAttention) {
        const double H = m.heads, Hg = std::min(m.globalHeads, m.heads), Hl = H - Hg;
        share = Hg / H + (Hl / H) * std::min(double(m.window), double(T)) / double(T);
    }
    const double keys = L * C;                                                    // every layer's K
    const double values = m.valueResidual == ValueResidual::SVFormer ? C : L * C; // SVFormer: V₁ only
    return (keys + values) * share * b;
}

namespace {
QString variantName(const ModelConfig& m) {
    switch (m.valueResidual) {
    case ValueResidual::Off:
        return QObject::tr("vanilla");
    case ValueResidual::Identity:
        return QObject::tr("ResFormer (½, ½)");
    case ValueResidual::Constant:
        return QObject::tr("ResFormer (λ₁ %1, λ₂ %2)").arg(m.lambda1).arg(m.lambda2);
    case ValueResidual::Learnable:
        return QObject::tr("ResFormer, learnable λ");
    case ValueResidual::SVFormer:
        return QObject::tr("SVFormer");
    }
    return {};
}
} // namespace

ValueResidualView::ValueResidualView(RunRegistry& registry, ChartSettings& settings, QWidget* parent)
    : RunView(registry, settings, parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_charts =
        new LayerCharts(QStringLiteral("valueres"), tr("Layer %1 · importance entropy"), settings, 3, this);
    m_loss = m_charts->addSummary(QStringLiteral("val"), tr("Validation loss"));
    m_lambda = m_charts->addSummary(QStringLiteral("lambda"), tr("λ₁ (solid), λ₂ (dashed)"));
    m_lambda->setPlaceholder(tr("no ResFormer run"));
    layout->addWidget(m_charts->inScrollArea(), 1);
    addCaptions(layout, this,
                {{"importance-entropy", tr("Layer charts, importance entropy")}, {"lambda", tr("λ₁, λ₂")}});
    m_cache = new QTableWidget(0, 4, this);
    m_cache->setHorizontalHeaderLabels(
        {tr("run"), tr("value residual"), tr("KV cache (bytes/token, f32)"), tr("vs vanilla")});
    m_cache->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_cache->horizontalHeader()->setStretchLastSection(true);
    m_cache->verticalHeader()->setVisible(false);
    m_cache->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_cache->setMaximumHeight(120);
    layout->addWidget(m_cache);
    layout->addWidget(new ChartCaption(QStringLiteral("kv-cache"), this));
    rebuild();
}

std::vector<CurveChart*> ValueResidualView::charts() const {
    return m_charts->charts();
}

CurveChart* ValueResidualView::layerChart(int layer) const {
    return m_charts->layer(layer);
}

void ValueResidualView::addRun(const RunData& run) {
    const ModelConfig& cfg = run.spec.model;
    m_charts->ensureLayers(cfg.layers);
    for (int l = 0; l < m_charts->layerCount(); ++l) m_charts->layer(l)->setMinimumYSpan(0.2); // nats
    RunSeries rs;
    SeriesStyle val = probeSeries(run, tr("validation"), run.color);
    val.points = true;
    rs.val = m_loss->addSeries(val);
    for (int l = 0; l < cfg.layers; ++l)
        rs.importance.push_back(m_charts->layer(l)->addSeries(probeSeries(run, tr("importance"), run.color)));
    m_runs[run.id] = std::move(rs);
}

void ValueResidualView::consumeNew(const RunData& run) {
    auto found = m_runs.find(run.id);
    if (found == m_runs.end()) return;
    RunSeries& rs = found->second;
    for (; rs.steps < run.steps.size(); ++rs.steps) {
        const StepRecord& r = run.steps[rs.steps];
        if (std::isfinite(r.valLoss)) m_loss->append(rs.val, r.step, r.valLoss);
    }
    const int layers = run.spec.model.layers;
    for (; rs.snapshots < run.snapshots.size(); ++rs.snapshots) {
        const ProbeSnapshot& s = *run.snapshots[rs.snapshots];
        for (int l = 0; l < std::min(layers, int(s.importanceEntropy.size())); ++l)
            m_charts->layer(l)->append(rs.importance[l], s.step, s.importanceEntropy[l]);
        for (const std::string prefix : {"lambda1/", "lambda2/"}) {
            const auto names = scalarNamesWithPrefix(s, prefix);
            for (std::size_t i = 0; i < names.size(); ++i) {
                auto it = rs.lambdas.find(names[i]);
                if (it == rs.lambdas.end()) {
                    SeriesStyle st = probeSeries(run, QString::fromStdString(names[i]),
                                                 lineColor(run, int(i), int(names.size())));
                    if (prefix == "lambda2/") st.pen = Qt::DashLine;
                    it = rs.lambdas.emplace(names[i], m_lambda->addSeries(st)).first;
                }
                m_lambda->append(it->second, s.step, scalarValue(s, names[i]));
            }
        }
    }
}

void ValueResidualView::forgetRun(int runId) {
    m_runs.erase(runId);
}

void ValueResidualView::afterUpdate() {
    std::vector<const RunData*> runs;
    for (const auto& r : registry().runs())
        if (r->visible) runs.push_back(r.get());
    m_cache->setRowCount(int(runs.size()));
    for (int row = 0; row < int(runs.size()); ++row) {
        const RunData& run = *runs[row];
        const ModelConfig& m = run.spec.model;
        ModelConfig vanilla = m;
        vanilla.valueResidual = ValueResidual::Off;
        vanilla.lsAttention = false;
        const double bytes = kvCacheBytesPerToken(m, m.context),
                     base = kvCacheBytesPerToken(vanilla, m.context);
        auto* name = new QTableWidgetItem(run.name);
        name->setForeground(run.color);
        m_cache->setItem(row, 0, name);
        m_cache->setItem(row, 1, new QTableWidgetItem(variantName(m)));
        m_cache->setItem(row, 2, new QTableWidgetItem(QString::number(bytes, 'f', 0)));
        m_cache->setItem(row, 3, new QTableWidgetItem(QStringLiteral("%1×").arg(bytes / base, 0, 'f', 2)));
    }
}

} // namespace attnscope::gui
