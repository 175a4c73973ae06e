#include "gui/views/entropy_view.h"

#include "core/probe/entropy_bound.h"
#include "gui/session/run_registry.h"
#include "gui/views/curve_chart.h"
#include "gui/views/head_label.h"
#include "gui/views/layer_charts.h"
#include "gui/widgets/chart_help.h"
#include "gui/widgets/secondary_text.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QVBoxLayout>
#include <cmath>

namespace attnscope::gui {

namespace {
// "layer 2 head 1 …" → 2; -1 when the message names no layer (then every layer chart gets the marker).
int layerInMessage(const std::string& message) {
    static const QRegularExpression re(QStringLiteral("\\blayer\\s*(\\d+)"),
                                       QRegularExpression::CaseInsensitiveOption);
    const auto match = re.match(QString::fromStdString(message));
    return match.hasMatch() ? match.captured(1).toInt() : -1;
}
} // namespace

EntropyView::EntropyView(RunRegistry& registry, ChartSettings& settings, QWidget* parent)
    : RunView(registry, settings, parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* bar = new QHBoxLayout;
    m_metricBox = new QComboBox(this);
    m_metricBox->addItem(tr("Entropy (nats)"));
    m_metricBox->addItem(tr("Normalised entropy (0–1)"));
    bar->addWidget(new QLabel(tr("Metric:"), this));
    bar->addWidget(m_metricBox);
    m_metricBox->setItemData(0, chartHelp(QStringLiteral("entropy")).toolTip(), Qt::ToolTipRole);
    m_metricBox->setItemData(1, chartHelp(QStringLiteral("norm-entropy")).toolTip(), Qt::ToolTipRole);
    auto* hint = new QLabel(tr("Mean over the probe's queries, per head. Dashed: lower bound (Zhai et al. "
                               "Thm 3.1, per causal row). Flags: entropy collapse."),
                            this);
    makeSecondaryText(hint);
    bar->addWidget(hint, 1);
    layout->addLayout(bar);
    // Runs probed on different lengths have different entropy scales (uniform over 32 keys ≈ 2.55 nats,
    // over 64 ≈ 3.2): said here, with a one-click switch to the normalised entropy, which compares.
    auto* warning = new QHBoxLayout;
    m_lengthWarning = new QLabel(this);
    m_lengthWarning->setObjectName(QStringLiteral("probeLengthWarning"));
    m_lengthWarning->setWordWrap(true);
    m_lengthWarning->setStyleSheet(QStringLiteral("color: #9a3c00;"));
    m_normalizeButton = new QPushButton(tr("Show normalised entropy"), this);
    connect(m_normalizeButton, &QPushButton::clicked, this, [this] { setMetric(Metric::Normalized); });
    warning->addWidget(m_lengthWarning, 1);
    warning->addWidget(m_normalizeButton);
    layout->addLayout(warning);
    m_lengthWarning->setVisible(false);
    m_normalizeButton->setVisible(false);
    m_charts =
        new LayerCharts(QStringLiteral("entropy"), tr("Layer %1 · entropy per head"), settings, 3, this);
    m_mean = m_charts->addSummary(QStringLiteral("mean"), tr("Mean over all heads"));
    layout->addWidget(m_charts->inScrollArea(), 1);
    m_caption = new ChartCaption(QStringLiteral("entropy"), this);
    layout->addWidget(m_caption);
    m_boundNote = new QLabel(this);
    m_boundNote->setWordWrap(true);
    m_boundNote->setContentsMargins(4, 1, 4, 1);
    makeSecondaryText(m_boundNote);
    layout->addWidget(m_boundNote);
    connect(m_metricBox, &QComboBox::currentIndexChanged, this,
            [this](int index) { setMetric(index == 1 ? Metric::Normalized : Metric::Entropy); });
    rebuild();
}

std::vector<CurveChart*> EntropyView::charts() const {
    return m_charts->charts();
}

CurveChart* EntropyView::layerChart(int layer) const {
    return m_charts->layer(layer);
}

void EntropyView::setMetric(Metric metric) {
    if (metric == m_metric) return;
    m_metric = metric;
    m_metricBox->setCurrentIndex(metric == Metric::Normalized ? 1 : 0);
    m_caption->setKey(metric == Metric::Normalized ? QStringLiteral("norm-entropy")
                                                   : QStringLiteral("entropy"));
    rebuild();
}

void EntropyView::addRun(const RunData& run) {
    const ModelConfig& cfg = run.spec.model;
    m_charts->ensureLayers(cfg.layers);
    RunSeries rs;
    rs.mean = m_mean->addSeries(probeSeries(run, tr("mean"), run.color));
    for (int l = 0; l < cfg.layers; ++l)
        for (int h = 0; h < cfg.heads; ++h) {
            rs.heads.push_back(m_charts->layer(l)->addSeries(
                probeSeries(run, headLabel(cfg, h), lineColor(run, h, cfg.heads))));
            rs.bounds.push_back(0);
        }
    m_runs[run.id] = std::move(rs);
}

void EntropyView::consumeNew(const RunData& run) {
    auto found = m_runs.find(run.id);
    if (found == m_runs.end()) return;
    RunSeries& rs = found->second;
    const ModelConfig& cfg = run.spec.model;
    const bool normalized = m_metric == Metric::Normalized;
    for (; rs.snapshots < run.snapshots.size(); ++rs.snapshots) {
        const ProbeSnapshot& s = *run.snapshots[rs.snapshots];
        const std::vector<float>& values = normalized ? s.normEntropy : s.entropy;
        // The per-row bound (core/probe/entropy_bound.h), not the unmasked-T `entropyBound` reference,
        // which is not a bound of causal rows and was drawn above the entropy.
        const std::vector<float> bounds = normalized ? std::vector<float>() : recordedCausalBounds(s);
        const int layers = std::min(s.layers, cfg.layers), heads = std::min(s.heads, cfg.heads);
        double sum = 0;
        int count = 0;
        for (int l = 0; l < layers; ++l)
            for (int h = 0; h < heads; ++h) {
                const std::size_t src = s.headIndex(l, h), dst = std::size_t(l * cfg.heads + h);
                if (src >= values.size()) continue;
                const double v = values[src];
                m_charts->layer(l)->append(rs.heads[dst], s.step, v);
                if (std::isfinite(v)) sum += v, ++count;
                if (src >= bounds.size() || !std::isfinite(bounds[src])) continue;
                if (rs.bounds[dst] == 0) {
                    SeriesStyle b;
                    b.name = seriesName(run, headLabel(cfg, h) + tr(" bound"));
                    b.color = lineColor(run, h, cfg.heads);
                    b.color.setAlpha(140); // a reference line: lighter than the entropy it bounds
                    b.pen = Qt::DashLine;
                    b.width = 1.0;
                    b.smoothable = false;
                    b.group = run.id;
                    rs.bounds[dst] = m_charts->layer(l)->addSeries(b);
                }
                m_charts->layer(l)->append(rs.bounds[dst], s.step, bounds[src]);
            }
        if (count > 0) m_mean->append(rs.mean, s.step, sum / count);
    }
    for (; rs.events < run.events.size(); ++rs.events) {
        const Event& e = run.events[rs.events];
        if (e.kind != EventKind::EntropyCollapse) continue;
        const QString text = QString::fromStdString(e.message);
        const int layer = layerInMessage(e.message);
        m_mean->addMarker(run.id, e.step, run.color, text);
        for (int l = 0; l < m_charts->layerCount(); ++l)
            if (layer < 0 || layer == l) m_charts->layer(l)->addMarker(run.id, e.step, run.color, text);
    }
}

void EntropyView::forgetRun(int runId) {
    m_runs.erase(runId);
}

void EntropyView::afterUpdate() {
    const RunData* reference = keyReference();
    const int heads = reference ? reference->spec.model.heads : 0;
    bool bounds = false;
    for (const auto& [id, rs] : m_runs)
        for (int b : rs.bounds) bounds = bounds || b != 0;
    const QString key =
        lineKey(heads, QStringLiteral("H")) + (bounds ? QStringLiteral("&nbsp; ┄ bound") : QString());
    for (int l = 0; l < m_charts->layerCount(); ++l) m_charts->layer(l)->setKey(key);

    // Probe lengths of the visible runs, and which runs carry no bound (and why).
    std::map<int, QStringList> byLength;
    QStringList unbounded;
    for (const auto& run : registry().runs()) {
        if (!run->visible || run->snapshots.empty()) continue;
        byLength[run->snapshots.back()->length] << run->name;
        const ModelConfig& m = run->spec.model;
        if (m_metric == Metric::Entropy && !m.qkNorm && m.position != PositionScheme::Rope &&
            recordedCausalBounds(*run->snapshots.back()).empty())
            unbounded << run->name;
    }
    const bool mixed = byLength.size() > 1 && m_metric == Metric::Entropy;
    if (mixed) {
        QStringList parts;
        for (const auto& [T, names] : byLength)
            parts << tr("T = %1: %2").arg(T).arg(names.join(QStringLiteral(", ")));
        m_lengthWarning->setText(
            tr("⚠ These runs were probed on sequences of different lengths (%1): their "
               "entropies are on different scales (uniform attention averages ≈ 2.55 nats "
               "over 32 tokens, ≈ 3.2 over 64). Compare them with the normalised entropy.")
                .arg(parts.join(QStringLiteral("; "))));
    }
    m_lengthWarning->setVisible(mixed);
    m_normalizeButton->setVisible(mixed);
    m_boundNote->setText(
        unbounded.isEmpty()
            ? QString()
            : tr("No lower bound for %1: recorded before AttnScope computed the bound per causal row (the "
                 "older "
                 "value was for unmasked rows and is not a bound of causal attention). Retrain to see it.")
                  .arg(unbounded.join(QStringLiteral(", "))));
    m_boundNote->setVisible(!unbounded.isEmpty());
}

} // namespace attnscope::gui
