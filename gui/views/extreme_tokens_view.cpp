#include "gui/views/extreme_tokens_view.h"

#include "gui/session/run_registry.h"
#include "gui/views/curve_chart.h"
#include "gui/views/head_label.h"
#include "gui/views/layer_charts.h"
#include "gui/widgets/chart_help.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

namespace attnscope::gui {

ExtremeTokensView::ExtremeTokensView(RunRegistry& registry, ChartSettings& settings, QWidget* parent)
    : RunView(registry, settings, parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* bar = new QHBoxLayout;
    m_layer = new QSpinBox(this);
    m_layer->setRange(0, 0);
    bar->addWidget(new QLabel(tr("Value norms of layer"), this));
    bar->addWidget(m_layer);
    bar->addStretch(1);
    layout->addLayout(bar);
    m_charts = new LayerCharts(QStringLiteral("extreme"), tr("Layer %1 · sink score, non-trigger queries"),
                               settings, 3, this);
    m_topKey = m_charts->addSummary(QStringLiteral("topkey"), tr("Most-attended key, per head"));
    m_valueNorm = m_charts->addSummary(QStringLiteral("valuenorm"), tr("Value norm ‖v W_o‖ per key"));
    // Log y by default: the residual grows layer by layer (≈ 1 entering layer 0, tens at the end), and the
    // peak at the sink position shows within each line, whatever its scale.
    m_residual = m_charts->addSummary(QStringLiteral("residual"), tr("Residual norm ‖x‖"), true);
    for (CurveChart* c : {m_valueNorm, m_residual}) {
        c->setXLabel(tr("position"));
        c->setSmoothingEnabled(false);
        c->setKeepExtremesInView(true); // the sink position is the outlier ("Ignore outliers" cropped it)
        c->setPlaceholder(tr("no snapshot with value and residual norms"));
    }
    m_topKey->setPlaceholder(tr("no snapshot with the top key (recorded before this version)"));
    layout->addWidget(m_charts->inScrollArea(), 1);
    addCaptions(layout, this,
                {{"sink-nontrigger", tr("Layer charts")},
                 {"argmax-key", tr("Key receiving most attention")},
                 {"value-norm", tr("Value-state and residual norms")}});
    connect(m_layer, &QSpinBox::valueChanged, this, [this] {
        m_profileStep = -1;
        updateProfiles();
    });
    connect(&registry, &RunRegistry::selectionChanged, this, [this] {
        m_profileStep = -1;
        updateProfiles();
    });
    connect(&registry, &RunRegistry::pinChanged, this, [this](int id) {
        if (id == this->registry().selectedId()) updateProfiles();
    });
    rebuild();
}

std::vector<CurveChart*> ExtremeTokensView::charts() const {
    return m_charts->charts();
}

std::vector<CurveChart*> ExtremeTokensView::stepCharts() const {
    std::vector<CurveChart*> all = charts();
    std::erase_if(all, [this](const CurveChart* c) { return c == m_valueNorm || c == m_residual; });
    return all;
}

CurveChart* ExtremeTokensView::layerChart(int layer) const {
    return m_charts->layer(layer);
}

void ExtremeTokensView::addRun(const RunData& run) {
    const ModelConfig& cfg = run.spec.model;
    m_charts->ensureLayers(cfg.layers);
    RunSeries rs;
    for (int l = 0; l < cfg.layers; ++l)
        for (int h = 0; h < cfg.heads; ++h) {
            rs.sink.push_back(m_charts->layer(l)->addSeries(
                probeSeries(run, headLabel(cfg, h), lineColor(run, h, cfg.heads))));
            rs.top.push_back(
                m_topKey->addSeries(probeSeries(run, QStringLiteral("L%1 %2").arg(l).arg(headLabel(cfg, h)),
                                                lineColor(run, l * cfg.heads + h, cfg.layers * cfg.heads))));
        }
    m_runs[run.id] = std::move(rs);
}

void ExtremeTokensView::consumeNew(const RunData& run) {
    auto found = m_runs.find(run.id);
    if (found == m_runs.end()) return;
    RunSeries& rs = found->second;
    const ModelConfig& cfg = run.spec.model;
    for (; rs.snapshots < run.snapshots.size(); ++rs.snapshots) {
        const ProbeSnapshot& s = *run.snapshots[rs.snapshots];
        const int layers = std::min(s.layers, cfg.layers), heads = std::min(s.heads, cfg.heads);
        for (int l = 0; l < layers; ++l)
            for (int h = 0; h < heads; ++h) {
                const std::size_t src = s.headIndex(l, h), dst = std::size_t(l * cfg.heads + h);
                if (src < s.sinkNonTrigger.size())
                    m_charts->layer(l)->append(rs.sink[dst], s.step, s.sinkNonTrigger[src]);
                if (src < s.topKey.size()) m_topKey->append(rs.top[dst], s.step, s.topKey[src]);
            }
    }
}

void ExtremeTokensView::forgetRun(int runId) {
    m_runs.erase(runId);
    m_profileStep = -1; // its profile lines went with its series
}

void ExtremeTokensView::afterUpdate() {
    const RunData* run = registry().selected();
    m_layer->setMaximum(run ? std::max(0, run->spec.model.layers - 1) : 0);
    const RunData* reference = keyReference();
    const QString heads = lineKey(reference ? reference->spec.model.heads : 0, QStringLiteral("H"));
    for (int l = 0; l < m_charts->layerCount(); ++l) m_charts->layer(l)->setKey(heads);
    updateProfiles();
}

void ExtremeTokensView::showStep(int step) {
    m_step = step;
    updateProfiles();
}

void ExtremeTokensView::updateProfiles() {
    const RunData* run = registry().selected();
    const SnapshotPtr snap = run ? run->snapshotAt(m_step) : nullptr;
    // The pinned step A, dashed beside step B, as on the Sinks key profile (same snapshot rule: at or
    // before).
    const SnapshotPtr pinned = run ? run->pinnedSnapshot() : nullptr;
    const std::optional<int> pinStep = pinned ? std::optional<int>(pinned->step) : std::nullopt;
    if (!snap || (snap->step == m_profileStep && pinStep == m_profilePin)) return;
    m_profileStep = snap->step;
    m_profilePin = pinStep;
    m_valueNorm->clear();
    m_residual->clear();
    const ProbeSnapshot& s = *snap;
    const int T = s.length, layer = std::min(m_layer->value(), s.layers - 1);
    std::vector<double> x(T);
    for (int j = 0; j < T; ++j) x[j] = j;
    const bool pinComparable = pinned && pinned->length == T && pinned->layers == s.layers &&
                               pinned->heads == s.heads && pinned->valueNorm.size() == s.valueNorm.size() &&
                               pinned->residualNorm.size() == s.residualNorm.size();
    // One line per entry at step B, and its step-A twin dashed; offset: first value of the entry's row.
    auto addPair = [&](CurveChart* chart, SeriesStyle st, std::size_t offset, const std::vector<float>& atB,
                       const std::vector<float>* atA) {
        const int id = chart->addSeries(st);
        chart->replaceData(id, x,
                           std::vector<double>(atB.begin() + long(offset), atB.begin() + long(offset + T)));
        if (!atA) return;
        st.name = tr("%1 at step A").arg(st.name);
        st.pen = Qt::DashLine;
        st.width = 1.0;
        st.points = false;
        const int pin = chart->addSeries(st);
        chart->replaceData(pin, x,
                           std::vector<double>(atA->begin() + long(offset), atA->begin() + long(offset + T)));
    };
    QString valueKey, residualKey;
    if (s.valueNorm.size() == std::size_t(s.layers) * s.heads * T)
        for (int h = 0; h < s.heads; ++h) {
            SeriesStyle st = probeSeries(*run, headLabel(run->spec.model, h), lineColor(*run, h, s.heads));
            st.points = T <= 64;
            addPair(m_valueNorm, st, s.headIndex(layer, h) * T, s.valueNorm,
                    pinComparable ? &pinned->valueNorm : nullptr);
            valueKey +=
                QStringLiteral("<span style='color:%1'>■</span>&nbsp;H%2 ").arg(st.color.name()).arg(h);
        }
    if (s.residualNorm.size() == std::size_t(s.layers + 1) * T)
        for (int l = 0; l <= s.layers; ++l) {
            const QString label = l < s.layers ? QStringLiteral("into L%1").arg(l) : tr("final");
            const SeriesStyle st = probeSeries(*run, label, lineColor(*run, l, s.layers + 1));
            addPair(m_residual, st, std::size_t(l) * T, s.residualNorm,
                    pinComparable ? &pinned->residualNorm : nullptr);
            residualKey +=
                QStringLiteral("<span style='color:%1'>■</span>&nbsp;%2 ").arg(st.color.name(), label);
        }
    for (CurveChart* c : {m_valueNorm, m_residual}) {
        c->setXDomain(-1, T); // key 0 off the y axis (sinks_view)
        c->refresh();         // new series, new data: re-fit and replot now, not at the next snapshot
    }
    // Short titles: the chart's log-y button takes the right end of the title row.
    const QString steps =
        pinComparable ? tr("B %1, A %2").arg(s.step).arg(pinned->step) : tr("step %1").arg(s.step);
    m_valueNorm->setTitle(tr("Value norm · L%1 · %2").arg(layer).arg(steps));
    m_residual->setTitle(tr("Residual ‖x‖ · %1").arg(steps));
    m_valueNorm->setKey(valueKey.trimmed());
    m_residual->setKey(residualKey.trimmed());
}

} // namespace attnscope::gui
