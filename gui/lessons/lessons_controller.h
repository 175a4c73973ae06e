#pragma once
// The lessons' part of the window: the Lessons dock (start page on first start, then wherever the user left
// it) and the Lessons menu. It builds both over a LessonStage; the main window places them (the dock in the
// right area, the menu before Help).
#include "gui/lessons/lesson_stage.h"

#include <QObject>

class QDockWidget;
class QMenu;
class QWidget;

namespace attnscope::gui {

class LessonsPanel;

class LessonsController : public QObject {
    Q_OBJECT
public:
    // `window` parents the dock and the menu.
    LessonsController(const LessonStage& stage, QWidget& window);

    LessonsPanel* panel() const { return m_panel; }
    QDockWidget* dock() const { return m_dock; }
    QMenu* menu() const { return m_menu; }

    // On the first start ever (QSettings "lessons/startPageSeen" unset), shows and raises the Lessons dock on
    // its start page and remembers that it did. Returns whether it did.
    bool showStartPageOnFirstStart();
    void showLessons(); // the dock, raised

private:
    void buildMenu(QWidget& window);

    QDockWidget* m_dock = nullptr;
    LessonsPanel* m_panel = nullptr;
    QMenu* m_menu = nullptr;
};

} // namespace attnscope::gui
