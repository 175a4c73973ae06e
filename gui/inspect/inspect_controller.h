#pragma once
// The "inspect and publish" workflow on top of MainWindow, kept out of it so the window stays small:
// File > Open Recent and Samples, drag-and-drop of .attnrun files, following files the CLI is still
// writing, the step timeline (bottom dock) that drives every view, File > Export figure…, and the
// "Probe text" tab (the run's checkpoint at the timeline's step on a text the user types).
#include "gui/inspect/step_cursors.h"

#include <QObject>
#include <map>
#include <memory>

class QMenu;
class QDockWidget;

namespace attnscope::gui {

class CurveChart;
class ExportDialog;
struct RunData;
class LiveFollower;
class MainWindow;
class ProbeTextPanel;
class StepTimeline;

class InspectController : public QObject {
    Q_OBJECT
public:
    explicit InspectController(MainWindow& window);

    StepTimeline* timeline() const { return m_timeline; }
    QDockWidget* timelineDock() const { return m_dock; }
    ProbeTextPanel* probePanel() const { return m_probe; }
    // Opens like File > Open; runAdded() then remembers it in Open Recent and follows it if it is still
    // being written by another process.
    int open(const QString& path);
    LiveFollower* follower(int runId) const; // null unless the run's file is followed live
    void exportFigure(); // the dialog for the selected run, pre-set to the current tab, step and head
    // That dialog, not yet shown: the difference on the attention tab is pre-selected. Null without a run.
    std::unique_ptr<ExportDialog> exportDialog();
    // Where the curve cursor (B) and the pinned-step cursor (A) of `chart` stand; NaN when none (tests).
    double cursorStep(const CurveChart* chart) const { return m_cursors.stepOf(chart); }
    double pinCursorStep(const CurveChart* chart) const { return m_cursors.pinOf(chart); }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void buildMenus();
    void runAdded(int id);
    void rememberRecent(const QString& path);
    void rebuildRecentMenu();
    void syncTimeline();
    void showStep(int step);
    std::unique_ptr<ExportDialog> probeExportDialog(const RunData& run);
    void updateCursors(int step);
    void syncPin(); // timeline marker and curve cursors follow the selected run's pin

    MainWindow& m_window;
    StepTimeline* m_timeline;
    QDockWidget* m_dock;
    QDockWidget* m_provenance = nullptr;
    ProbeTextPanel* m_probe = nullptr;
    QMenu* m_recent = nullptr;
    StepCursors m_cursors;
    std::map<int, LiveFollower*> m_followers; // run id → follower
};

} // namespace attnscope::gui
