#include "gui/views/sinks_view.h"

#include "figures/palette.h"
#include "gui/session/run_registry.h"
#include "gui/views/curve_chart.h"
#include "gui/views/head_label.h"
#include "gui/views/layer_charts.h"
#include "gui/widgets/chart_help.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>
#include <qcustomplot.h>

namespace attnscope::gui {

namespace {
constexpr int kMaxTokenTicks = 40; // label key positions with their tokens up to this probe length
}

SinksView::SinksView(RunRegistry& registry, ChartSettings& settings, QWidget* parent)
    : RunView(registry, settings, parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* bar = new QHBoxLayout;
    m_layer = new QSpinBox(this);
    m_layer->setPrefix(tr("layer "));
    m_layer->setRange(0, 0);
    m_step = new QSlider(Qt::Horizontal, this);
    m_step->setRange(0, 0);
    m_follow = new QCheckBox(tr("follow latest"), this);
    m_follow->setChecked(true);
    m_stepLabel = new QLabel(this);
    m_stepLabel->setMinimumWidth(90);
    bar->addWidget(new QLabel(tr("Key profile of the selected run:"), this));
    bar->addWidget(m_layer);
    bar->addWidget(new QLabel(tr("snapshot"), this));
    bar->addWidget(m_step, 1);
    bar->addWidget(m_stepLabel);
    bar->addWidget(m_follow);
    layout->addLayout(bar);

    m_charts = new LayerCharts(QStringLiteral("sinks"), tr("Layer %1 · sink score α₁"), settings, 3, this);
    m_rate = m_charts->addSummary(QStringLiteral("rate"), tr("Sink rate (heads with α₁ > 0.3)"));
    m_profile = m_charts->addSummary(QStringLiteral("profile"), tr("Attention received per key"));
    m_profile->setXLabel(tr("key"));
    m_profile->setSmoothingEnabled(false);
    m_profile->setKeepExtremesInView(true); // the sink is the outlier
    m_profile->setPlaceholder(tr("no snapshot of the selected run yet"));
    layout->addWidget(m_charts->inScrollArea(), 1);
    addCaptions(layout, this,
                {{"sink-rate", tr("Sink rate")},
                 {"key-profile", tr("Attention received per key")},
                 {"sink-score", tr("Layer charts, sink score α₁")}});

    connect(m_layer, &QSpinBox::valueChanged, this, [this] { updateProfile(); });
    connect(m_step, &QSlider::valueChanged, this, [this](int value) {
        m_follow->setChecked(value == m_step->maximum());
        updateProfile();
        if (!m_applyingStep && m_profileStep > 0) emit stepPicked(m_profileStep);
    });
    connect(&registry, &RunRegistry::pinChanged, this, [this](int id) {
        if (id == this->registry().selectedId()) updateProfile();
    });
    connect(m_follow, &QCheckBox::toggled, this, [this](bool on) {
        if (on) m_step->setValue(m_step->maximum());
    });
    connect(&registry, &RunRegistry::selectionChanged, this, [this] {
        m_follow->setChecked(true);
        afterUpdate();
    });
    rebuild();
    for (CurveChart* chart : m_charts->charts())
        if (chart != m_profile)
            connect(chart, &CurveChart::stepClicked, this, [this](double x) {
                showStep(int(x));
                if (m_profileStep > 0) emit stepPicked(m_profileStep); // the timeline follows the click
            });
}

std::vector<CurveChart*> SinksView::charts() const {
    std::vector<CurveChart*> all = m_charts->charts();
    all.erase(std::remove(all.begin(), all.end(), m_profile), all.end()); // managed by updateProfile()
    return all;
}

CurveChart* SinksView::layerChart(int layer) const {
    return m_charts->layer(layer);
}

void SinksView::addRun(const RunData& run) {
    const ModelConfig& cfg = run.spec.model;
    m_charts->ensureLayers(cfg.layers);
    RunSeries rs;
    rs.rate = m_rate->addSeries(probeSeries(run, tr("sink rate"), run.color));
    for (int l = 0; l < cfg.layers; ++l)
        for (int h = 0; h < cfg.heads; ++h) {
            rs.heads.push_back(m_charts->layer(l)->addSeries(
                probeSeries(run, headLabel(cfg, h), lineColor(run, h, cfg.heads))));
        }
    m_runs[run.id] = std::move(rs);
}

void SinksView::consumeNew(const RunData& run) {
    auto found = m_runs.find(run.id);
    if (found == m_runs.end()) return;
    RunSeries& rs = found->second;
    const ModelConfig& cfg = run.spec.model;
    for (; rs.snapshots < run.snapshots.size(); ++rs.snapshots) {
        const ProbeSnapshot& s = *run.snapshots[rs.snapshots];
        m_rate->append(rs.rate, s.step, s.sinkRate);
        const int layers = std::min(s.layers, cfg.layers), heads = std::min(s.heads, cfg.heads);
        for (int l = 0; l < layers; ++l)
            for (int h = 0; h < heads; ++h) {
                const std::size_t src = s.headIndex(l, h);
                if (src < s.sinkScore.size())
                    m_charts->layer(l)->append(rs.heads[std::size_t(l * cfg.heads + h)], s.step,
                                               s.sinkScore[src]);
            }
    }
}

void SinksView::forgetRun(int runId) {
    m_runs.erase(runId);
    if (runId == m_profileRun) {
        m_profile->clear();
        m_profileSeries.clear();
        m_pinSeries.clear();
        m_profileRun = 0;
    }
}

void SinksView::afterUpdate() {
    const RunData* reference = keyReference();
    const QString heads = lineKey(reference ? reference->spec.model.heads : 0, QStringLiteral("H"));
    for (int l = 0; l < m_charts->layerCount(); ++l) m_charts->layer(l)->setKey(heads);
    const RunData* run = registry().selected();
    const int count = run ? int(run->snapshots.size()) : 0;
    {
        const QSignalBlocker blockStep(m_step);
        const QSignalBlocker blockLayer(m_layer);
        m_step->setRange(0, std::max(0, count - 1));
        if (m_follow->isChecked()) m_step->setValue(m_step->maximum());
        m_layer->setRange(0, run ? std::max(0, run->spec.model.layers - 1) : 0);
    }
    updateProfile();
}

void SinksView::showStep(int step) {
    const RunData* run = registry().selected();
    if (!run || run->snapshots.empty()) return;
    m_applyingStep = true;
    m_step->setValue(snapshotIndexAt(run->snapshots, step));
    m_applyingStep = false;
}

void SinksView::updateProfile() {
    const RunData* run = registry().selected();
    const int index = m_step->value();
    const SnapshotPtr snap =
        run && index < int(run->snapshots.size()) ? run->snapshots[std::size_t(index)] : nullptr;
    const int layer = m_layer->value();
    const int runId = run ? run->id : 0;
    if (runId != m_profileRun || layer != m_profileLayer) {
        m_profile->clear();
        m_profileSeries.clear();
        m_pinSeries.clear();
        m_profileRun = runId;
        m_profileLayer = layer;
        QString profileKey;
        if (run) {
            const ModelConfig& cfg = run->spec.model;
            for (int h = 0; h < cfg.heads; ++h) {
                SeriesStyle s;
                s.name = headLabel(cfg, h);
                s.color = categoricalColor(h);
                s.group = run->id;
                s.smoothable = false;
                m_profileSeries.push_back(m_profile->addSeries(s));
                s.name = tr("%1 at step A").arg(s.name);
                s.pen = Qt::DashLine;
                s.width = 1.0;
                m_pinSeries.push_back(m_profile->addSeries(s));
                profileKey +=
                    QStringLiteral("<span style='color:%1'>■</span>&nbsp;H%2 ").arg(s.color.name()).arg(h);
            }
        }
        m_profile->setKey(profileKey.trimmed());
        m_profileStep = -1;
        m_profilePin.reset();
    }
    // The pinned step A, dashed beside step B, as on every other chart (same snapshot rule: at or before).
    const SnapshotPtr pinned = run ? run->pinnedSnapshot() : nullptr;
    const std::optional<int> pinStep = pinned ? std::optional<int>(pinned->step) : std::nullopt;
    m_stepLabel->setText(!snap     ? tr("—")
                         : pinStep ? tr("step %1 · A (dashed): %2").arg(snap->step).arg(*pinStep)
                                   : tr("step %1").arg(snap->step));
    if (!snap || !run || (snap->step == m_profileStep && pinStep == m_profilePin)) {
        m_profile->refresh();
        return;
    }
    m_profileStep = snap->step;
    m_profilePin = pinStep;
    const int T = snap->length;
    std::vector<double> x(std::size_t(std::max(0, T)));
    for (int j = 0; j < T; ++j) x[std::size_t(j)] = j;
    auto profileOf = [&](const ProbeSnapshot& s, int h) {
        std::vector<double> y(std::size_t(T), qQNaN());
        if (h >= s.heads || layer >= s.layers || s.length != T) return y; // other shape: nothing to draw
        const std::size_t base = s.headIndex(layer, h) * std::size_t(T);
        for (int j = 0; j < T && base + std::size_t(j) < s.keyProfile.size(); ++j)
            y[std::size_t(j)] = s.keyProfile[base + std::size_t(j)];
        return y;
    };
    for (int h = 0; h < int(m_profileSeries.size()); ++h) {
        m_profile->replaceData(m_profileSeries[std::size_t(h)], x, profileOf(*snap, h));
        m_profile->replaceData(m_pinSeries[std::size_t(h)], pinned ? x : std::vector<double>{},
                               pinned ? profileOf(*pinned, h) : std::vector<double>{});
    }
    // Short probes: label each key with its token so a sink on "<bos>" or "␣" is obvious.
    if (T > 0 && T <= kMaxTokenTicks && run->tokenizer) {
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        for (int j = 0; j < T && j < int(snap->tokens.size()); ++j)
            ticker->addTick(j, QString::fromStdString(run->tokenizer->display(snap->tokens[std::size_t(j)])));
        m_profile->plot()->xAxis->setTicker(ticker);
    } else {
        m_profile->plot()->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    }
    // One key of margin each side: the sink is key 0, and a peak drawn on the y axis itself is hard to see.
    m_profile->setXDomain(-1, T);
    m_profile->resetView();
}

} // namespace attnscope::gui
