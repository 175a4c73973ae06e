#pragma once
// Installs the lessons on the main window (issue 11), kept out of MainWindow like InspectController: the
// Lessons dock (start page on first start, then wherever the user left it), the Lessons menu, and the views
// the lessons need that the window did not have — Extrapolation and Value residual tabs. Every tab gets a
// "lessonTab" key so lessons can name the tab they show.
#include <QObject>

class QDockWidget;
class QMenu;

namespace attnscope::gui {

class ExtrapolationView;
class LessonsPanel;
class MainWindow;
class ValueResidualView;

class LessonsController : public QObject {
    Q_OBJECT
public:
    explicit LessonsController(MainWindow& window);

    LessonsPanel* panel() const { return m_panel; }
    QDockWidget* dock() const { return m_dock; }
    ExtrapolationView* extrapolationView() const { return m_extrapolation; }
    ValueResidualView* valueResidualView() const { return m_valueResidual; }

    // On the first start ever (QSettings "lessons/startPageSeen" unset), shows and raises the Lessons dock on
    // its start page and remembers that it did. Returns whether it did.
    bool showStartPageOnFirstStart();
    void showLessons(); // the dock, raised

private:
    void buildMenu();

    MainWindow& m_window;
    QDockWidget* m_dock;
    LessonsPanel* m_panel;
    ExtrapolationView* m_extrapolation;
    ValueResidualView* m_valueResidual;
};

} // namespace attnscope::gui
