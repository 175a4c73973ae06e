#pragma once
// The "inspect and publish" workflow over the pages the main window assembled, kept out of the window so
// it stays small: File > Open Recent and Samples, drag-and-drop of .attnrun files, following files the CLI
// is still writing, the step timeline that drives every view, File > Export figure…, and the probe page's
// export. It knows the pages, never the window class (arrows point from gui/app down to here).
#include "gui/inspect/step_cursors.h"

#include <QObject>
#include <functional>
#include <map>
#include <memory>
#include <vector>

class QAction;
class QMainWindow;
class QMenu;
class QTabWidget;

namespace attnscope::gui {

class AttentionPanel;
class CurveChart;
class EntropyView;
class ExportDialog;
class LiveFollower;
class LogitView;
class ProbeTextPanel;
class SavedNotice;
class RunRegistry;
class RunView;
class SinksView;
class StepTimeline;
class TrainingView;
struct RunData;

// The pages the controller drives; the main window creates them (gui/app/main_window.cpp).
struct InspectPages {
    QTabWidget* tabs = nullptr;
    TrainingView* training = nullptr;
    EntropyView* entropy = nullptr;
    LogitView* logits = nullptr;
    SinksView* sinks = nullptr;
    AttentionPanel* attention = nullptr;
    ProbeTextPanel* probe = nullptr;
    // Pages whose figure views the export offers (as QWidget: only compared with the current tab).
    QWidget* extremeTokens = nullptr;
    QWidget* extrapolation = nullptr;
    QWidget* valueResidual = nullptr;
    QWidget* sweeps = nullptr;
    StepTimeline* timeline = nullptr;
    // Every curve view: the timeline's step cursors (B, and A while pinned) go on their step charts.
    std::vector<RunView*> curveViews;
};

class InspectController : public QObject {
    Q_OBJECT
public:
    // `openFile` opens a run file as File > Open does (returns the run id, 0 on failure).
    InspectController(QMainWindow& window, RunRegistry& registry, const InspectPages& pages,
                      std::function<int(const QString&)> openFile);

    StepTimeline* timeline() const { return m_pages.timeline; }
    ProbeTextPanel* probePanel() const { return m_pages.probe; }
    // File menu entries (Open Recent, Samples, Export figure…), inserted before `before` in `file`.
    void addFileActions(QMenu* file, QAction* before);
    // Opens like File > Open; runAdded() then remembers it in Open Recent and follows it if it is still
    // being written by another process.
    int open(const QString& path);
    void rememberRecent(const QString& path); // also for runs trained in the app
    LiveFollower* follower(int runId) const;  // null unless the run's file is followed live
    void exportFigure(); // the dialog for the selected run, pre-set to the current tab, step and head
    // "Saved to …" with an Open-folder button in the status bar: after every export.
    void announceSaved(const QStringList& files);
    SavedNotice* savedNotice() const { return m_saved; }
    // That dialog, not yet shown: the difference on the attention tab is pre-selected. Null without a run.
    std::unique_ptr<ExportDialog> exportDialog();
    // Where the curve cursor (B) and the pinned-step cursor (A) of `chart` stand; NaN when none (tests).
    double cursorStep(const CurveChart* chart) const { return m_cursors.stepOf(chart); }
    double pinCursorStep(const CurveChart* chart) const { return m_cursors.pinOf(chart); }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void runAdded(int id);
    void rebuildRecentMenu();
    void syncTimeline();
    void showStep(int step);
    std::unique_ptr<ExportDialog> probeExportDialog(const RunData& run);
    void updateCursors(int step);
    void syncPin();                    // timeline marker and curve cursors follow the selected run's pin
    void announceEvent(int eventStep); // "Next event": which event it jumped to, or that there is none

    void showMessage(const QString& text, int ms);

    QMainWindow& m_window;
    RunRegistry& m_registry;
    InspectPages m_pages;
    std::function<int(const QString&)> m_openFile;
    QMenu* m_recent = nullptr;
    SavedNotice* m_saved = nullptr;
    StepCursors m_cursors;
    std::map<int, LiveFollower*> m_followers; // run id → follower
};

} // namespace attnscope::gui
