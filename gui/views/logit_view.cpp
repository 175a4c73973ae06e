#include "gui/views/logit_view.h"

#include "gui/session/run_registry.h"
#include "gui/views/curve_chart.h"
#include "gui/views/head_label.h"
#include "gui/views/layer_charts.h"
#include "gui/views/snapshot_scalars.h"
#include "gui/widgets/chart_help.h"

#include <QScrollArea>
#include <QVBoxLayout>
#include <cmath>

namespace attnscope::gui {

LogitView::LogitView(RunRegistry& registry, ChartSettings& settings, QWidget* parent)
    : RunView(registry, settings, parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_charts =
        new LayerCharts(QStringLiteral("logits"), tr("Layer %1 · max logit q·k/√d"), settings, 3, this);
    m_layerMax = m_charts->addSummary(QStringLiteral("layermax"), tr("Max attention logit per layer"));
    m_sigma = m_charts->addSummary(QStringLiteral("sigma"), tr("σReparam σ(W) per matrix"));
    m_gamma = m_charts->addSummary(QStringLiteral("gamma"), tr("σReparam γ per matrix"));
    m_sigma->setPlaceholder(tr("no σReparam run"));
    m_gamma->setPlaceholder(tr("no σReparam run"));
    layout->addWidget(m_charts->inScrollArea(), 1);
    addCaptions(layout, this,
                {{"max-logit", tr("Max logit charts")}, {"sigma", tr("σ(W)")}, {"gamma", tr("γ")}});
    rebuild();
}

std::vector<CurveChart*> LogitView::charts() const {
    return m_charts->charts();
}

CurveChart* LogitView::layerChart(int layer) const {
    return m_charts->layer(layer);
}

void LogitView::addRun(const RunData& run) {
    const ModelConfig& cfg = run.spec.model;
    m_charts->ensureLayers(cfg.layers);
    RunSeries rs;
    for (int l = 0; l < cfg.layers; ++l) {
        rs.layerMax.push_back(m_layerMax->addSeries(
            probeSeries(run, QStringLiteral("L%1").arg(l), lineColor(run, l, cfg.layers))));
        for (int h = 0; h < cfg.heads; ++h) {
            rs.heads.push_back(m_charts->layer(l)->addSeries(
                probeSeries(run, headLabel(cfg, h), lineColor(run, h, cfg.heads))));
        }
    }
    m_runs[run.id] = std::move(rs);
}

int LogitView::scalarSeries(const RunData& run, RunSeries& rs, const std::string& name, int index,
                            int count) {
    auto it = rs.scalars.find(name);
    if (it != rs.scalars.end()) return it->second;
    const bool sigma = name.rfind("sigma/", 0) == 0;
    const int id = (sigma ? m_sigma : m_gamma)
                       ->addSeries(probeSeries(run, QString::fromStdString(name.substr(name.find('/') + 1)),
                                               lineColor(run, index, count)));
    rs.scalars[name] = id;
    return id;
}

void LogitView::consumeNew(const RunData& run) {
    auto found = m_runs.find(run.id);
    if (found == m_runs.end()) return;
    RunSeries& rs = found->second;
    const ModelConfig& cfg = run.spec.model;
    for (; rs.snapshots < run.snapshots.size(); ++rs.snapshots) {
        const ProbeSnapshot& s = *run.snapshots[rs.snapshots];
        const int layers = std::min(s.layers, cfg.layers), heads = std::min(s.heads, cfg.heads);
        for (int l = 0; l < layers; ++l) {
            double layerMax = -qInf();
            for (int h = 0; h < heads; ++h) {
                const std::size_t src = s.headIndex(l, h);
                if (src >= s.maxLogit.size()) continue;
                const double v = s.maxLogit[src];
                m_charts->layer(l)->append(rs.heads[std::size_t(l * cfg.heads + h)], s.step, v);
                if (std::isfinite(v)) layerMax = std::max(layerMax, v);
            }
            if (std::isfinite(layerMax)) m_layerMax->append(rs.layerMax[std::size_t(l)], s.step, layerMax);
        }
        for (const std::string& prefix : {std::string("sigma/"), std::string("gamma/")}) {
            const auto names = scalarNamesWithPrefix(s, prefix);
            for (std::size_t i = 0; i < names.size(); ++i) {
                const int id = scalarSeries(run, rs, names[i], int(i), int(names.size()));
                (prefix == "sigma/" ? m_sigma : m_gamma)->append(id, s.step, scalarValue(s, names[i]));
            }
        }
    }
    markEvents(*m_layerMax, run, rs.events, {int(EventKind::LogitExplosion), int(EventKind::Diverged)});
    rs.events = run.events.size();
}

void LogitView::forgetRun(int runId) {
    m_runs.erase(runId);
}

void LogitView::afterUpdate() {
    const RunData* reference = keyReference();
    const QString heads = lineKey(reference ? reference->spec.model.heads : 0, QStringLiteral("H"));
    for (int l = 0; l < m_charts->layerCount(); ++l) m_charts->layer(l)->setKey(heads);
    m_layerMax->setKey(lineKey(reference ? reference->spec.model.layers : 0, QStringLiteral("L")));
}

} // namespace attnscope::gui
