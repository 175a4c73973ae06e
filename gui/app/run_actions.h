#pragma once
// What can be done to one run, offered as its context menu (Runs panel, runs table): continue a stopped or
// interrupted run, fork it from a checkpoint with changed settings, rename, edit tags, reveal its file,
// close, and delete the file (after a confirmation). Names and tags are remembered per file in QSettings,
// so a run reopened later keeps them.
#include <QObject>
#include <QStringList>
#include <functional>

class QMenu;
class QPoint;
class QWidget;

namespace attnscope {
struct RunSpec;
}

namespace attnscope::gui {

class RunRegistry;
class SessionManager;

class RunActions : public QObject {
    Q_OBJECT
public:
    RunActions(RunRegistry& registry, SessionManager& sessions, QWidget* dialogParent);

    // The context menu of `runId` (caller owns it); null for an unknown run.
    QMenu* menuFor(int runId, QWidget* parent);
    void showMenu(int runId, const QPoint& globalPos);

    // Continues a stopped or interrupted run from its latest checkpoint in its own file, as
    // `attnscope-cli resume` does (bit-identical steps); a run that has all its steps asks how far to extend
    // it. Returns the live run's id, 0 when refused (the reason goes to message()).
    int continueRun(int runId);
    // Asks (ForkDialog), then trains the child run; returns its id or 0.
    int fork(int runId);
    // The same without the dialog: from checkpoint `fromStep` with `change` applied to the parent's spec.
    int fork(int runId, int fromStep, const std::function<void(RunSpec&)>& change);
    // Asks for the new total step count of a run that has all its steps (tests replace it); 0 = cancel.
    std::function<int(const QString& name, int steps)> askExtension;

    void rename(int runId);   // asks for the name
    void editTags(int runId); // asks for comma-separated tags
    void reveal(int runId);   // opens the run file's folder in the desktop's file manager
    // Asks, then stops and closes the run and deletes its file; false when declined or refused.
    bool deleteRun(int runId);
    // Shows the deletion question; tests replace it.
    std::function<bool(const QString& question)> confirm;

    // Name and tags the user gave the run at `path` (empty when none).
    static QString rememberedName(const QString& path);
    static QStringList rememberedTags(const QString& path);
    // Applies remembered name and tags to a run that was just opened.
    void applyRemembered(int runId);

signals:
    void message(const QString& text);

private:
    void remember(int runId);

    RunRegistry& m_registry;
    SessionManager& m_sessions;
    QWidget* m_parent;
};

} // namespace attnscope::gui
