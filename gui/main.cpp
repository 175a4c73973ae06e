// AttnScope desktop app: everything lives in attnscope_gui; this only starts it.
//   attnscope [RUN.attnrun …] [--lesson ID]   (--lesson opens that lesson, e.g. "extrapolation")
#include "core/util/cpu_check.h"
#include "gui/app/app_icon.h"
#include "gui/app/main_window.h"
#include "gui/lessons/lessons_controller.h"
#include "gui/lessons/lessons_panel.h"

#include <QApplication>
#include <cstdio>

int main(int argc, char** argv) {
    attnscope::requireCpuFeatures(); // before any AVX2 code: a message, not SIGILL
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("AttnScope"));
    QApplication::setApplicationName(QStringLiteral("AttnScope"));
    QApplication::setApplicationVersion(QStringLiteral(ATTNSCOPE_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.github.attnscope.AttnScope"));
    QApplication::setWindowIcon(attnscope::gui::appIcon());
    QStringList paths = QApplication::arguments().mid(1);
    QString lesson;
    if (const qsizetype at = paths.indexOf(QStringLiteral("--lesson")); at >= 0) {
        if (at + 1 >= paths.size()) {
            std::fprintf(stderr, "attnscope: --lesson needs a lesson id\n");
            return 2;
        }
        lesson = paths.at(at + 1);
        paths.remove(at, 2);
    }
    attnscope::gui::MainWindow window;
    window.openStartup(paths);
    if (!lesson.isEmpty()) {
        attnscope::gui::LessonsController* lessons = window.lessons();
        if (!lessons->panel()->showLesson(lesson)) {
            QStringList ids;
            for (const auto& l : lessons->panel()->lessons()) ids << l.id;
            std::fprintf(stderr, "attnscope: no lesson \"%s\" (lessons: %s)\n", qPrintable(lesson),
                         qPrintable(ids.join(QStringLiteral(", "))));
            return 2;
        }
        lessons->showLessons();
        lessons->panel()->openLesson(lesson);
    }
    window.show();
    return app.exec();
}
