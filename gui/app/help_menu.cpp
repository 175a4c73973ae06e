#include "gui/app/help_menu.h"

#include "gui/session/sample_runs.h"

#include <QAction>
#include <QCoreApplication>
#include <QDesktopServices>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QShortcut>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>

namespace attnscope::gui {

namespace {

void addMenuRows(const QMenu& menu, const QString& path, QStringList& rows) {
    for (const QAction* a : menu.actions()) {
        const QString name = path + QStringLiteral(" › ") + a->text().remove(QLatin1Char('&'));
        if (a->menu())
            addMenuRows(*a->menu(), name, rows);
        else if (!a->shortcut().isEmpty())
            rows << QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                        .arg(a->shortcut().toString(QKeySequence::NativeText).toHtmlEscaped(),
                             name.toHtmlEscaped());
    }
}

} // namespace

QString shortcutListHtml(const QMainWindow& window) {
    QStringList rows;
    for (const QAction* top : window.menuBar()->actions())
        if (top->menu()) addMenuRows(*top->menu(), top->text().remove(QLatin1Char('&')), rows);
    for (const QShortcut* s : window.findChildren<QShortcut*>())
        if (!s->whatsThis().isEmpty())
            rows << QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                        .arg(s->key().toString(QKeySequence::NativeText).toHtmlEscaped(),
                             s->whatsThis().toHtmlEscaped());
    rows << QCoreApplication::translate(
        "HelpMenu", "<tr><td><b>Arrow keys</b></td><td>Attention maps (grid focused): select the "
                    "head to the left, right, above or below</td></tr>");
    return QStringLiteral("<table cellspacing='6'>%1</table>").arg(rows.join(QString()));
}

QString documentationFolder() {
    const QString app = QCoreApplication::applicationDirPath();
    for (const QString& folder :
         {QDir::cleanPath(app + QStringLiteral("/../share/doc/attnscope")), buildTreeSources()})
        if (QFileInfo::exists(folder + QStringLiteral("/README.md"))) return folder;
    return {};
}

void fillHelpMenu(QMainWindow& window, QMenu* help) {
    QAction* keys = help->addAction(QCoreApplication::translate("HelpMenu", "&Keyboard shortcuts"));
    keys->setShortcut(QKeySequence::HelpContents);
    QObject::connect(keys, &QAction::triggered, &window, [&window] {
        QDialog dialog(&window);
        dialog.setWindowTitle(QCoreApplication::translate("HelpMenu", "Keyboard shortcuts"));
        auto* layout = new QVBoxLayout(&dialog);
        auto* text = new QTextBrowser(&dialog);
        text->setObjectName(QStringLiteral("shortcutList"));
        text->setHtml(shortcutListHtml(window));
        layout->addWidget(text);
        auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
        QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
        layout->addWidget(buttons);
        dialog.resize(560, 480);
        dialog.exec();
    });
    help->addAction(QCoreApplication::translate("HelpMenu", "&Documentation"), &window, [&window] {
        const QString folder = documentationFolder();
        if (folder.isEmpty() ||
            !QDesktopServices::openUrl(QUrl::fromLocalFile(folder + QStringLiteral("/docs"))))
            QMessageBox::information(&window, QCoreApplication::translate("HelpMenu", "Documentation"),
                                     QCoreApplication::translate(
                                         "HelpMenu", "The documentation is README.md and the docs/ folder of "
                                                     "AttnScope's source (installed: share/doc/attnscope)%1.")
                                         .arg(folder.isEmpty() ? QString() : QStringLiteral(": ") + folder));
    });
    help->addSeparator();
    help->addAction(QCoreApplication::translate("HelpMenu", "&About AttnScope"), &window, [&window] {
        QMessageBox::about(&window, QCoreApplication::translate("HelpMenu", "About AttnScope"),
                           QCoreApplication::translate(
                               "HelpMenu",
                               "<b>AttnScope %1</b><p>Train small transformers on the CPU and watch "
                               "attention entropy, logit growth and sinks live; toggle LS-attention, "
                               "ALiBi, ResFormer/SVFormer and σReparam and compare runs.</p>")
                               .arg(QCoreApplication::applicationVersion()));
    });
}

} // namespace attnscope::gui
