#include "gui/lessons/lessons_controller.h"

#include "gui/lessons/lessons_panel.h"

#include <QDockWidget>
#include <QMenu>
#include <QSettings>

// Resources of a static library must be registered by name, from the global namespace.
static void initLessonResources() {
    Q_INIT_RESOURCE(lessons);
}

namespace attnscope::gui {

LessonsController::LessonsController(const LessonStage& stage, QWidget& window) : QObject(&window) {
    initLessonResources();
    setObjectName(QStringLiteral("lessonsController"));
    m_dock = new QDockWidget(tr("Lessons"), &window);
    m_dock->setObjectName(QStringLiteral("lessonsDock"));
    m_panel = new LessonsPanel(stage, m_dock);
    m_dock->setWidget(m_panel);
    buildMenu(window);
}

void LessonsController::buildMenu(QWidget& window) {
    m_menu = new QMenu(tr("&Lessons"), &window);
    m_menu->addAction(tr("&Start page"), this, [this] {
        m_panel->showStartPage();
        showLessons();
    });
    m_menu->addSeparator();
    for (const Lesson& lesson : m_panel->lessons()) {
        const QString id = lesson.id;
        QAction* a = m_menu->addAction(lesson.title, this, [this, id] {
            m_panel->showLesson(id);
            showLessons();
        });
        a->setStatusTip(lesson.summary);
    }
    m_menu->addSeparator();
    m_menu->addAction(m_dock->toggleViewAction());
}

void LessonsController::showLessons() {
    m_dock->show();
    m_dock->raise();
}

bool LessonsController::showStartPageOnFirstStart() {
    QSettings settings;
    if (settings.value(QStringLiteral("lessons/startPageSeen"), false).toBool()) return false;
    settings.setValue(QStringLiteral("lessons/startPageSeen"), true);
    m_panel->showStartPage();
    showLessons();
    return true;
}

} // namespace attnscope::gui
