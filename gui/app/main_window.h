#pragma once
// The main window: Runs dock (left), New-run dock (right), and the curve and attention tabs in the middle,
// with the selected run's progress in the status bar. Owns the run registry and the live sessions;
// closing the window stops every run and finalises its file.
#include <QMainWindow>
#include <QStringList>

class QTabWidget;
class QDockWidget;

namespace attnscope::gui {

class AttentionPanel;
class ChartSettings;
class EntropyView;
class LessonsController;
class LogitView;
class NewRunPanel;
class RunRegistry;
class RunsPanel;
class RunStatusWidget;
class SessionManager;
class SinksView;
class TrainingView;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens the files given on the command line; with none, the first sample run if there is one,
    // otherwise the New-run panel, ready to Start.
    void openStartup(const QStringList& paths);
    // Returns the run id, or 0 with `error` set. Without `error` a failure is shown in a message box.
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
    QTabWidget* tabs() const { return m_tabs; }
    RunStatusWidget* runStatus() const { return m_status; }
    ChartSettings& chartSettings() const { return *m_chartSettings; }
    LessonsController* lessons() const { return m_lessons; }

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void openDialog();
    void showNewRun();
    static QStringList sampleRunCandidates();

    RunRegistry* m_registry;
    SessionManager* m_sessions;
    ChartSettings* m_chartSettings;
    QTabWidget* m_tabs;
    TrainingView* m_training;
    EntropyView* m_entropy;
    LogitView* m_logits;
    SinksView* m_sinks;
    AttentionPanel* m_attention;
    RunsPanel* m_runs;
    NewRunPanel* m_newRun;
    QDockWidget* m_runsDock;
    QDockWidget* m_newRunDock;
    RunStatusWidget* m_status;
    LessonsController* m_lessons = nullptr;
};

} // namespace attnscope::gui
