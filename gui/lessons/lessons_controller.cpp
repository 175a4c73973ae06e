#include "gui/lessons/lessons_controller.h"

#include "gui/app/main_window.h"
#include "gui/attention/attention_panel.h"
#include "gui/lessons/lessons_panel.h"
#include "gui/roles/head_roles_view.h"
#include "gui/views/entropy_view.h"
#include "gui/views/extrapolation_view.h"
#include "gui/views/extreme_tokens_view.h"
#include "gui/views/logit_view.h"
#include "gui/views/sinks_view.h"
#include "gui/views/training_view.h"
#include "gui/views/value_residual_view.h"

#include <QDockWidget>
#include <QMenuBar>
#include <QSettings>
#include <QTabWidget>

// Resources of a static library must be registered by name, from the global namespace.
static void initLessonResources() {
    Q_INIT_RESOURCE(lessons);
}

namespace attnscope::gui {

LessonsController::LessonsController(MainWindow& window) : QObject(&window), m_window(window) {
    initLessonResources();
    setObjectName(QStringLiteral("lessonsController"));
    // Keys by which lessons name the tabs (resources/lessons/lessons.json "view.tab").
    window.trainingView()->setProperty("lessonTab", QStringLiteral("training"));
    window.entropyView()->setProperty("lessonTab", QStringLiteral("entropy"));
    window.logitView()->setProperty("lessonTab", QStringLiteral("logits"));
    window.sinksView()->setProperty("lessonTab", QStringLiteral("sinks"));
    window.attentionPanel()->setProperty("lessonTab", QStringLiteral("attention"));

    window.extrapolationView()->setProperty("lessonTab", QStringLiteral("extrapolation"));
    window.extremeTokensView()->setProperty("lessonTab", QStringLiteral("extreme-tokens"));
    window.valueResidualView()->setProperty("lessonTab", QStringLiteral("value-residual"));
    window.headRolesView()->setProperty("lessonTab", QStringLiteral("roles"));

    m_panel = new LessonsPanel(window);
    m_dock = window.addDock(m_panel, tr("Lessons"), QStringLiteral("lessonsDock"), Qt::RightDockWidgetArea);
    if (auto* newRun = window.findChild<QDockWidget*>(QStringLiteral("newRunDock")))
        window.tabifyDockWidget(newRun, m_dock);
    buildMenu();
}

void LessonsController::buildMenu() {
    QMenu* menu = new QMenu(tr("&Lessons"), &m_window);
    menu->addAction(tr("&Start page"), this, [this] {
        m_panel->showStartPage();
        showLessons();
    });
    menu->addSeparator();
    for (const Lesson& lesson : m_panel->lessons()) {
        const QString id = lesson.id;
        QAction* a = menu->addAction(lesson.title, this, [this, id] {
            m_panel->showLesson(id);
            showLessons();
        });
        a->setStatusTip(lesson.summary);
    }
    menu->addSeparator();
    menu->addAction(m_dock->toggleViewAction());
    // Before Help, so the menu bar reads File, View, Lessons, Help.
    QMenuBar* bar = m_window.menuBar();
    QAction* before = nullptr;
    for (QAction* a : bar->actions())
        if (a->menu() && a->text().contains(QStringLiteral("Help"))) before = a;
    bar->insertMenu(before, menu);
    if (before) before->menu()->insertAction(before->menu()->actions().value(0), menu->menuAction());
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
