#include "gui/views/run_view.h"

#include "figures/palette.h"
#include "gui/session/run_registry.h"
#include "gui/views/curve_chart.h"
#include "gui/views/layer_charts.h"

#include <algorithm>

namespace attnscope::gui {

namespace {
constexpr int kFrameMs = 33; // at most ~30 view updates per second, however many runs train

// The shortest '/'-separated tail of each name that no other run shares: "exp-a/baseline", "exp-b/alibi" →
// "exp-a/baseline" only when another run's tail is "baseline" too, else "baseline"; "alibi".
QStringList distinctSuffixes(const std::vector<const RunData*>& runs) {
    QStringList shown;
    std::vector<int> parts(runs.size(), 1);
    for (bool changed = true; changed;) {
        changed = false;
        shown.clear();
        for (std::size_t i = 0; i < runs.size(); ++i)
            shown << runs[i]->name.section(QLatin1Char('/'), -parts[i]);
        for (std::size_t i = 0; i < runs.size(); ++i)
            if (shown.count(shown[int(i)]) > 1 && shown[int(i)] != runs[i]->name) ++parts[i], changed = true;
    }
    return shown;
}
} // namespace

RunView::RunView(RunRegistry& registry, ChartSettings& settings, QWidget* parent)
    : QWidget(parent), m_registry(registry), m_settings(settings) {
    m_updateTimer.setSingleShot(true);
    m_updateTimer.setInterval(kFrameMs);
    connect(&m_updateTimer, &QTimer::timeout, this, &RunView::processPending);
    connect(&registry, &RunRegistry::runAdded, this, [this](int id) {
        if (rebuildIfColourModeChanged()) return;
        if (const RunData* run = m_registry.find(id)) addAndConsume(*run);
        processPending();
    });
    connect(&registry, &RunRegistry::runRemoved, this, [this] { rebuildIfColourModeChanged(); });
    connect(&registry, &RunRegistry::runAboutToBeRemoved, this, [this](int id) {
        for (CurveChart* chart : charts()) {
            chart->removeGroup(id);
            chart->refresh();
        }
        m_pending.erase(id);
        m_colors.erase(id);
        forgetRun(id);
    });
    connect(&registry, &RunRegistry::dataAppended, this, &RunView::schedule);
    connect(&registry, &RunRegistry::appearanceChanged, this, &RunView::onAppearanceChanged);
    for (auto signal : {&RunRegistry::runAdded, &RunRegistry::runRemoved, &RunRegistry::appearanceChanged})
        connect(&registry, signal, this, &RunView::updateRunLegend);
    connect(&registry, &RunRegistry::selectionChanged, this, [this](int id) {
        afterUpdate(); // keys follow the selected run
        for (CurveChart* chart : charts()) {
            chart->setEmphasizedGroup(visibleRunCount() > 1 ? id : 0);
            chart->refresh();
        }
    });
}

void RunView::flushUpdates() {
    m_updateTimer.stop();
    processPending();
}

int RunView::visibleRunCount() const {
    int n = 0;
    for (const auto& run : m_registry.runs())
        if (run->visible) ++n;
    return n;
}

void RunView::updateRunLegend() {
    // Preset runs share a group prefix ("exp-entropy-collapse/baseline"): the legend shows the part after the
    // last '/' when that still tells the visible runs apart; the tooltip always has the full names.
    std::vector<const RunData*> visible;
    for (const auto& run : m_registry.runs())
        if (run->visible) visible.push_back(run.get());
    const QStringList shortNames = distinctSuffixes(visible);
    QString html, tooltip;
    for (std::size_t i = 0; i < visible.size(); ++i) {
        const RunData* run = visible[i];
        const QString& shown = shortNames[int(i)];
        html += QStringLiteral("<span style='color:%1'>■</span>&nbsp;%2&nbsp;&nbsp; ")
                    .arg(run->color.name(), shown.toHtmlEscaped());
        tooltip += (tooltip.isEmpty() ? QString() : QStringLiteral("\n")) + run->name +
                   (run->filePath.isEmpty() ? QString() : QStringLiteral(" — ") + run->filePath);
    }
    for (CurveChart* chart : charts()) chart->setRunLegend(html.trimmed(), tooltip);
    if (LayerCharts* grid = layerGrid()) {
        int layers = 0;
        for (const auto& run : m_registry.runs())
            if (run->visible) layers = std::max(layers, run->spec.model.layers);
        grid->showLayers(layers);
    }
}

QColor RunView::lineColor(const RunData& run, int index, int count) const {
    return m_singleRunColours ? categoricalColor(index) : shadeOf(run.color, index, count);
}

const RunData* RunView::keyReference() const {
    const RunData* selected = m_registry.selected();
    if (selected && selected->visible) return selected;
    for (const auto& run : m_registry.runs())
        if (run->visible) return run.get();
    return nullptr;
}

QString RunView::lineKey(int count, const QString& prefix) const {
    const RunData* reference = keyReference();
    if (!reference || count <= 0) return {};
    QString html;
    for (int i = 0; i < count; ++i)
        html += QStringLiteral("<span style='color:%1'>■</span>&nbsp;%2%3 ")
                    .arg(lineColor(*reference, i, count).name(), prefix)
                    .arg(i);
    return html.trimmed();
}

QString RunView::seriesName(const RunData& run, const QString& what) const {
    return m_singleRunColours ? what : run.name + QStringLiteral(" · ") + what;
}

SeriesStyle RunView::probeSeries(const RunData& run, const QString& what, const QColor& color) const {
    SeriesStyle s;
    s.name = seriesName(run, what);
    s.color = color;
    s.group = run.id;
    s.smoothable = false;
    return s;
}

void RunView::markEvents(CurveChart& chart, const RunData& run, std::size_t from,
                         std::initializer_list<int> kinds) const {
    for (std::size_t i = from; i < run.events.size(); ++i) {
        const Event& e = run.events[i];
        if (std::find(kinds.begin(), kinds.end(), int(e.kind)) == kinds.end()) continue;
        chart.addMarker(run.id, e.step, run.color,
                        QStringLiteral("%1 — %2").arg(QString::fromStdString(e.kindName()),
                                                      QString::fromStdString(e.message)));
    }
}

bool RunView::rebuildIfColourModeChanged() {
    const bool single = visibleRunCount() <= 1;
    if (single == m_singleRunColours) return false;
    m_singleRunColours = single;
    rebuild();
    return true;
}

void RunView::schedule(int runId) {
    m_pending.insert(runId);
    if (!m_updateTimer.isActive()) m_updateTimer.start();
}

void RunView::applyDomain() {
    int last = 0;
    for (const auto& run : m_registry.runs())
        if (run->visible) last = std::max(last, run->lastStep());
    for (CurveChart* chart : stepCharts()) chart->setXDomain(0, last);
}

void RunView::processPending() {
    for (int id : m_pending)
        if (const RunData* run = m_registry.find(id)) consumeNew(*run);
    m_pending.clear();
    afterUpdate();
    applyDomain();
    for (CurveChart* chart : charts()) chart->refresh();
}

void RunView::addAndConsume(const RunData& run) {
    m_colors[run.id] = run.color;
    addRun(run);
    for (CurveChart* chart : charts()) chart->setGroupVisible(run.id, run.visible);
    consumeNew(run);
}

void RunView::onAppearanceChanged(int runId) {
    const RunData* run = m_registry.find(runId);
    if (!run) return;
    if (rebuildIfColourModeChanged()) return;
    if (m_colors[runId] != run->color) {
        // Colours are baked into each series' style; rebuilding one run is cheap and rare.
        for (CurveChart* chart : charts()) chart->removeGroup(runId);
        forgetRun(runId);
        addAndConsume(*run);
    }
    for (CurveChart* chart : charts()) {
        chart->setGroupVisible(runId, run->visible);
        chart->setEmphasizedGroup(visibleRunCount() > 1 ? m_registry.selectedId() : 0);
    }
    afterUpdate();
    applyDomain();
    for (CurveChart* chart : charts()) chart->refresh();
}

void RunView::rebuild() {
    m_singleRunColours = visibleRunCount() <= 1;
    for (const auto& run : m_registry.runs()) {
        for (CurveChart* chart : charts()) chart->removeGroup(run->id);
        forgetRun(run->id);
    }
    for (const auto& run : m_registry.runs()) addAndConsume(*run);
    m_pending.clear();
    afterUpdate();
    applyDomain();
    for (CurveChart* chart : charts()) {
        chart->setEmphasizedGroup(visibleRunCount() > 1 ? m_registry.selectedId() : 0);
        chart->resetView();
    }
}

} // namespace attnscope::gui
