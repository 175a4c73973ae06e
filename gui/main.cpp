// AttnScope desktop app: everything lives in attnscope_gui; this only starts it.
#include "core/util/cpu_check.h"
#include "gui/app/app_icon.h"
#include "gui/app/main_window.h"

#include <QApplication>

int main(int argc, char** argv) {
    attnscope::requireCpuFeatures(); // before any AVX2 code: a message, not SIGILL
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("AttnScope"));
    QApplication::setApplicationName(QStringLiteral("AttnScope"));
    QApplication::setApplicationVersion(QStringLiteral(ATTNSCOPE_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.github.attnscope.AttnScope"));
    QApplication::setWindowIcon(attnscope::gui::appIcon());
    attnscope::gui::MainWindow window;
    window.openStartup(QApplication::arguments().mid(1));
    window.show();
    return app.exec();
}
