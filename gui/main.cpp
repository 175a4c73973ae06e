// AttnScope desktop app: everything lives in attnscope_gui; this only starts it.
//   attnscope [RUN.attnrun …] [--page KEY] [--lesson ID] [--help] [--version]   (--page brings that page
//   forward, e.g. "attention"; --lesson opens that lesson, e.g. "extrapolation")
#include "core/util/cpu_check.h"
#include "gui/app/app_icon.h"
#include "gui/app/main_window.h"
#include "gui/lessons/lessons_controller.h"
#include "gui/lessons/lessons_panel.h"
#include "gui/widgets/page_switcher.h"

#include <QApplication>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

// --help and --version print to stdout and end the program before Qt starts, so they work without a display
// and are never taken for run files. Returns the exit status, or -1 to go on starting the app.
int handleInformationalOptions(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0) {
            std::printf("attnscope %s\n", ATTNSCOPE_VERSION);
            return 0;
        }
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            std::printf(
                "Usage: attnscope [RUN.attnrun | SWEEP-FOLDER ...] [--lesson ID]\n"
                "Train small transformers on the CPU and watch what their attention does.\n\n"
                "  RUN.attnrun ...  open these runs (or sweep folders) instead of the last workspace\n"
                "  --page KEY       show that page, e.g. attention or sweeps (an unknown key lists\n"
                "                   them all)\n"
                "  --lesson ID      open a lesson, e.g. induction or extrapolation (an unknown id\n"
                "                   lists them all)\n"
                "  -h, --help       print this help and exit\n"
                "  -v, --version    print the version and exit\n\n"
                "Command-line training and figures: attnscope-cli --help. Documentation: README.md and "
                "docs/ of the source tree, or /usr/share/doc/attnscope where installed.\n");
            return 0;
        }
    }
    return -1;
}

// Without a display Qt ends the program with abort() and a paragraph about plugins. The app says so in one
// line and exits with status 1 instead: before Qt starts when no display is configured at all, and through
// this handler, installed only while QApplication connects, when the configured one cannot be reached.
constexpr char kNoDisplay[] = "attnscope: cannot open a display";
constexpr char kNoDisplayHint[] =
    "the app needs a desktop session (attnscope-cli and attnscope-plot work without one)";
QtMessageHandler g_previousHandler = nullptr;
QString g_platformWarning; // the platform plugin's own reason, e.g. "could not connect to display :99"

void exitOnPlatformFailure(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    const bool platform = context.category && std::strncmp(context.category, "qt.qpa", 6) == 0;
    if (type == QtFatalMsg) {
        const QString reason =
            g_platformWarning.isEmpty() ? message.section(QLatin1Char('\n'), 0, 0) : g_platformWarning;
        std::fprintf(stderr, "%s (%s); %s.\n", kNoDisplay, qPrintable(reason), kNoDisplayHint);
        std::_Exit(1);
    }
    if (platform) {
        if (g_platformWarning.isEmpty()) g_platformWarning = message;
    } else if (g_previousHandler) {
        g_previousHandler(type, context, message);
    }
}

// Removes `option` and the value after it from `arguments` into `value`. Returns false, with a message, when
// the value is missing.
bool takeOptionValue(QStringList& arguments, const char* option, const char* what, QString* value) {
    const qsizetype at = arguments.indexOf(QLatin1String(option));
    if (at < 0) return true;
    if (at + 1 >= arguments.size()) {
        std::fprintf(stderr, "attnscope: %s needs %s\n", option, what);
        return false;
    }
    *value = arguments.at(at + 1);
    arguments.remove(at, 2);
    return true;
}

bool displayConfigured() {
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
           !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

} // namespace

int main(int argc, char** argv) {
    if (const int status = handleInformationalOptions(argc, argv); status >= 0) return status;
    attnscope::requireCpuFeatures(); // before any AVX2 code: a message, not SIGILL
    bool platformArgument = false;
    for (int i = 1; i < argc; ++i) platformArgument |= std::strcmp(argv[i], "-platform") == 0;
    if (!displayConfigured() && !platformArgument) {
        std::fprintf(stderr, "%s (neither DISPLAY nor WAYLAND_DISPLAY is set); %s.\n", kNoDisplay,
                     kNoDisplayHint);
        return 1;
    }
    g_previousHandler = qInstallMessageHandler(exitOnPlatformFailure);
    QApplication app(argc, argv);
    qInstallMessageHandler(g_previousHandler);
    QApplication::setOrganizationName(QStringLiteral("AttnScope"));
    QApplication::setApplicationName(QStringLiteral("AttnScope"));
    QApplication::setApplicationVersion(QStringLiteral(ATTNSCOPE_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.github.attnscope.AttnScope"));
    QApplication::setWindowIcon(attnscope::gui::appIcon());
    QStringList paths = QApplication::arguments().mid(1);
    QString lesson;
    QString page;
    if (!takeOptionValue(paths, "--lesson", "a lesson id", &lesson) ||
        !takeOptionValue(paths, "--page", "a page key", &page))
        return 2;
    attnscope::gui::MainWindow window;
    window.openStartup(paths);
    if (!page.isEmpty() && !window.pages().show(page)) {
        std::fprintf(stderr, "attnscope: no page \"%s\" (pages: %s)\n", qPrintable(page),
                     qPrintable(window.pages().keys().join(QStringLiteral(", "))));
        return 2;
    }
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
