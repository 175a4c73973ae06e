#pragma once
// Base of the curve views: follows the RunRegistry, batches the registry's per-run notifications into one
// update per frame, and feeds every view only what is new since its last update. Visibility toggles,
// emphasis of the selected run and removal are handled here for all of a view's charts; a recolour
// rebuilds just that run's series.
#include "gui/views/curve_chart.h"

#include <QColor>
#include <QTimer>
#include <QWidget>
#include <initializer_list>
#include <map>
#include <set>
#include <vector>

namespace attnscope::gui {

class ChartSettings;
class CurveChart;
class LayerCharts;
class RunRegistry;
struct RunData;

class RunView : public QWidget {
    Q_OBJECT
public:
    RunView(RunRegistry& registry, ChartSettings& settings, QWidget* parent = nullptr);

    // Applies pending updates now instead of at the next frame (tests, screenshots).
    void flushUpdates();
    virtual std::vector<CurveChart*> charts() const = 0;
    // The charts whose x axis is the training step: their x range follows the runs' newest step and the
    // timeline draws its step cursors on them. A view with charts over positions or keys leaves those out.
    virtual std::vector<CurveChart*> stepCharts() const { return charts(); }
    // The view's per-layer small multiples, if any: only as many layer charts as the visible runs have
    // layers are shown (hiding a 6-layer run among 2-layer runs removes layers 2–5).
    virtual LayerCharts* layerGrid() const { return nullptr; }

protected:
    // Creates the run's series; consumeNew() follows with all existing data.
    virtual void addRun(const RunData& run) = 0;
    // Appends what the run recorded since the last call (the view keeps its own cursors).
    virtual void consumeNew(const RunData& run) = 0;
    // Forgets the view's per-run state; the base class already removed the run's series from charts().
    virtual void forgetRun(int runId) = 0;
    // Re-creates every run from scratch (layout changed, e.g. a metric switch or more layers).
    void rebuild();
    // Called once per batch after consumeNew(); views refresh extra widgets here.
    virtual void afterUpdate() {}

    RunRegistry& registry() const { return m_registry; }
    ChartSettings& settings() const { return m_settings; }
    int visibleRunCount() const;
    // Colour of line `index` of `count` of one run (heads, layers, matrices): distinct hues while a single
    // run is visible (heads read best by hue), shades of the run's colour when runs are compared.
    QColor lineColor(const RunData& run, int index, int count) const;
    // Readout label of one line: "L0 H2" alone for a single run, prefixed by the run's name otherwise.
    QString seriesName(const RunData& run, const QString& what) const;
    // Style of one probe-metric line of `run`: exact values on a fixed probe sequence, so never smoothed.
    SeriesStyle probeSeries(const RunData& run, const QString& what, const QColor& color) const;
    // The run whose line colours a chart's key shows: the selected run if visible, else the first visible.
    const RunData* keyReference() const;
    // Rich-text colour key "■ H0 ■ H1 …" of `count` lines of keyReference(), coloured like lineColor().
    QString lineKey(int count, const QString& prefix) const;
    // Marks the run's events of the given kinds on `chart` (all events from index `from` on).
    void markEvents(CurveChart& chart, const RunData& run, std::size_t from,
                    std::initializer_list<int> kinds) const;

private:
    void schedule(int runId);
    void processPending();
    void onAppearanceChanged(int runId);
    void addAndConsume(const RunData& run);
    bool rebuildIfColourModeChanged();
    void applyDomain();     // every chart's x range covers 0 … the newest step of the visible runs
    void updateRunLegend(); // every chart's run legend, the visible runs in their colours; layer charts shown

    RunRegistry& m_registry;
    ChartSettings& m_settings;
    std::set<int> m_pending;
    std::map<int, QColor> m_colors; // colour each run's series were built with
    QTimer m_updateTimer;
    bool m_singleRunColours = true;
};

} // namespace attnscope::gui
