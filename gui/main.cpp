// AttnScope desktop app: everything lives in attnscope_gui; this only starts it.
#include "gui/app/main_window.h"

#include <QApplication>

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("AttnScope"));
    QApplication::setApplicationName(QStringLiteral("AttnScope"));
    QApplication::setApplicationVersion(QStringLiteral(ATTNSCOPE_VERSION));
    attnscope::gui::MainWindow window;
    window.openStartup(QApplication::arguments().mid(1));
    window.show();
    return app.exec();
}
