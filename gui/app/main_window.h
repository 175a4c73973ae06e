#pragma once
// The main window assembles the app: every page (the tabs in the middle) and every dock is created in
// buildPages()/buildDocks() and nowhere else; the pages and controllers below it never know this class.
// Owns the run registry and the live sessions; closing the window stops every run and finalises its file.
#include <QMainWindow>
#include <QStringList>
#include <functional>

class QTabWidget;
class QDockWidget;

namespace attnscope::gui {

class AttentionPanel;
class ChartSettings;
class EntropyView;
class ExtrapolationView;
class ExtremeTokensView;
class Appearance;
class LessonsController;
class ValueResidualView;
class HeadRolesView;
class EventList;
class RunActions;
class RunsTablePage;
class InspectController;
class LogitView;
class ModelImport;
class NewRunPanel;
class PageSwitcher;
class ProbeTextPanel;
class StepTimeline;
class RunRegistry;
class RunsPanel;
class RunStatusWidget;
class SessionManager;
class SinksView;
class SweepsController;
class TrainingView;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens the files given on the command line; with none, the first sample run if there is one,
    // otherwise the New-run panel, ready to Start.
    // With no paths, the workspace of the last session comes back (its runs, visibility, colours, page)
    // when it had any runs.
    void openStartup(const QStringList& paths);
    void saveWorkspace() const;
    // Returns the run id, or 0 with `error` set. Without `error` a failure is shown in a message box.
    // A sweep folder (or its sweep.json) opens on the Sweeps page instead (returns 0, `error` empty).
    int openRunFile(const QString& path, QString* error = nullptr);

    RunRegistry& registry() const { return *m_registry; }
    SessionManager& sessions() const { return *m_sessions; }
    NewRunPanel* newRunPanel() const { return m_newRun; }
    RunsPanel* runsPanel() const { return m_runs; }
    TrainingView* trainingView() const { return m_training; }
    EntropyView* entropyView() const { return m_entropy; }
    LogitView* logitView() const { return m_logits; }
    SinksView* sinksView() const { return m_sinks; }
    AttentionPanel* attentionPanel() const { return m_attention; }
    ProbeTextPanel* probePanel() const { return m_probe; }
    StepTimeline* timeline() const { return m_timeline; }
    InspectController* inspect() const { return m_inspect; }
    RunsTablePage* runsTable() const { return m_runsTable; }
    EventList* eventList() const { return m_events; }
    RunActions* runActions() const { return m_actions; }
    // Quitting while runs train asks whether to stop them (their files are kept) or to cancel; tests
    // replace the question. Returns true to quit.
    std::function<bool(int trainingRuns)> confirmQuit;
    QTabWidget* tabs() const { return m_tabs; }
    PageSwitcher& pages() const { return *m_pages; }
    RunStatusWidget* runStatus() const { return m_status; }
    ChartSettings& chartSettings() const { return *m_chartSettings; }
    ExtrapolationView* extrapolationView() const { return m_extrapolation; }
    ExtremeTokensView* extremeTokensView() const { return m_extremeTokens; }
    ValueResidualView* valueResidualView() const { return m_valueResidual; }
    HeadRolesView* headRolesView() const { return m_roles; }
    LessonsController* lessons() const { return m_lessons; }
    Appearance* appearance() const { return m_appearance; }
    SweepsController* sweeps() const { return m_sweeps; }

    // The one way pages and docks enter the window (called from buildPages()/buildDocks()); `key` names the
    // page for lessons and controllers (PageSwitcher).
    void addPage(QWidget* page, const QString& title, const QString& key);
    QDockWidget* addDock(QWidget* content, const QString& title, const QString& objectName,
                         Qt::DockWidgetArea area);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    // Shrinks and moves the window onto `screen` (its available geometry) where it does not fit.
    void fitInto(const QRect& screen);
    void buildPages();
    void buildDocks();
    void buildMenus();
    void openDialog();
    void openModelDialog();
    void showNewRun();

    RunRegistry* m_registry;
    SessionManager* m_sessions;
    ChartSettings* m_chartSettings;
    QTabWidget* m_tabs;
    PageSwitcher* m_pages;
    TrainingView* m_training;
    EntropyView* m_entropy;
    LogitView* m_logits;
    SinksView* m_sinks;
    AttentionPanel* m_attention;
    ProbeTextPanel* m_probe;
    RunsTablePage* m_runsTable;
    EventList* m_events;
    QDockWidget* m_eventsDock;
    RunActions* m_actions;
    StepTimeline* m_timeline;
    RunsPanel* m_runs;
    NewRunPanel* m_newRun;
    QDockWidget* m_runsDock;
    QDockWidget* m_newRunDock;
    QDockWidget* m_timelineDock;
    QDockWidget* m_provenanceDock;
    RunStatusWidget* m_status;
    InspectController* m_inspect;
    ExtrapolationView* m_extrapolation = nullptr;
    ExtremeTokensView* m_extremeTokens = nullptr;
    ValueResidualView* m_valueResidual = nullptr;
    HeadRolesView* m_roles = nullptr;
    LessonsController* m_lessons = nullptr;
    SweepsController* m_sweeps = nullptr;
    QMenu* m_viewMenu = nullptr;
    ModelImport* m_modelImport = nullptr;
    Appearance* m_appearance = nullptr;
};

} // namespace attnscope::gui
