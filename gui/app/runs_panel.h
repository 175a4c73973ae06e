#pragma once
// The Runs panel: every open run (live or loaded) with its colour swatch (click to recolour), a check box
// to show or hide it in the charts, its status and mechanism badges; buttons to pause, resume, stop and
// close the selected run, and to open run files.
#include <QWidget>

class QToolButton;
class QTreeView;

namespace attnscope::gui {

class RunListModel;
class RunRegistry;
class SessionManager;

class RunsPanel : public QWidget {
    Q_OBJECT
public:
    RunsPanel(RunRegistry& registry, SessionManager& sessions, QWidget* parent = nullptr);
    RunListModel* model() const { return m_model; }
    QTreeView* view() const { return m_view; }

signals:
    void openRequested();
    void newRunRequested();
    void contextMenuRequested(int runId, const QPoint& globalPos);

private:
    void updateButtons();
    void syncSelectionFromRegistry();
    void pauseOrResume();

    RunRegistry& m_registry;
    SessionManager& m_sessions;
    RunListModel* m_model;
    QTreeView* m_view;
    QToolButton *m_pause, *m_stop, *m_close, *m_open, *m_new;
};

} // namespace attnscope::gui
