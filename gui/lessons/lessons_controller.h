#pragma once
// Installs the lessons on the main window (issue 11), kept out of MainWindow like InspectController: the
// Lessons dock (through MainWindow::addDock; start page on first start, then wherever the user left it) and
// the Lessons menu. Every page gets a "lessonTab" key so lessons can name the tab they show.
#include <QObject>

class QDockWidget;
class QMenu;

namespace attnscope::gui {

class LessonsPanel;
class MainWindow;

class LessonsController : public QObject {
    Q_OBJECT
public:
    explicit LessonsController(MainWindow& window);

    LessonsPanel* panel() const { return m_panel; }
    QDockWidget* dock() const { return m_dock; }

    // On the first start ever (QSettings "lessons/startPageSeen" unset), shows and raises the Lessons dock on
    // its start page and remembers that it did. Returns whether it did.
    bool showStartPageOnFirstStart();
    void showLessons(); // the dock, raised

private:
    void buildMenu();

    MainWindow& m_window;
    QDockWidget* m_dock = nullptr;
    LessonsPanel* m_panel = nullptr;
};

} // namespace attnscope::gui
