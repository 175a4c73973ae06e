#include "gui/sweeps/sweeps_controller.h"

#include "gui/app/main_window.h"
#include "gui/inspect/sample_runs.h"
#include "gui/session/run_registry.h"
#include "gui/sweeps/sweep_folder.h"
#include "gui/sweeps/sweeps_page.h"
#include "gui/views/training_view.h"

#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

namespace attnscope::gui {

SweepsController::SweepsController(MainWindow& window) : QObject(&window), m_window(window) {
    setObjectName(QStringLiteral("sweepsController"));
    m_page = new SweepsPage(&window);
    m_page->setProperty("lessonTab", QStringLiteral("sweeps"));
    window.addPage(m_page, tr("Sweeps"));
    connect(m_page, &SweepsPage::openRunRequested, this, &SweepsController::openRun);
    connect(m_page, &SweepsPage::message, this,
            [this](const QString& text) { m_window.statusBar()->showMessage(text, 8000); });
    addMenuActions();
    // The sweep shown when the app was last used, back on the page (not made current: the workspace decides).
    connect(m_page, &SweepsPage::loaded, this, [this] {
        if (m_page->data()) QSettings().setValue(QStringLiteral("sweeps/lastFolder"), m_page->data()->folder);
    });
    const QString last = QSettings().value(QStringLiteral("sweeps/lastFolder")).toString();
    if (!last.isEmpty() && isSweepFolder(last)) m_page->openFolder(last);
}

QStringList SweepsController::sampleSweepFolders() {
    QStringList out;
    for (const QString& folder : sampleRunFolders()) {
        const QDir dir(QDir(folder).filePath(QStringLiteral("sweeps")));
        for (const QString& name : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
            if (isSweepFolder(dir.filePath(name))) out << dir.filePath(name);
        if (!out.isEmpty()) break; // the first sample folder that has sweeps, as for the runs
    }
    return out;
}

QString SweepsController::sampleSweep(const QString& name) {
    for (const QString& folder : sampleSweepFolders())
        if (QFileInfo(folder).fileName() == name) return folder;
    return {};
}

void SweepsController::addMenuActions() {
    QMenu* file = nullptr;
    for (QAction* a : m_window.menuBar()->actions())
        if (a->menu() && a->text().contains(QStringLiteral("File"))) file = a->menu();
    if (!file) return;
    // After "Open run…", before Open Recent.
    QAction* before = file->actions().value(2);
    QAction* open = new QAction(tr("Open s&weep…"), file);
    connect(open, &QAction::triggered, this, [this] {
        m_window.tabs()->setCurrentWidget(m_page);
        m_page->openDialog();
    });
    QAction* create = new QAction(tr("New s&weep…"), file);
    connect(create, &QAction::triggered, this, [this] {
        m_window.tabs()->setCurrentWidget(m_page);
        m_page->newSweep();
    });
    file->insertAction(before, open);
    file->insertAction(before, create);
    QMenu* samples = new QMenu(tr("Sample s&weeps"), file);
    for (const QString& folder : sampleSweepFolders())
        samples->addAction(QFileInfo(folder).fileName(), this, [this, folder] { showFolder(folder); });
    samples->setEnabled(!samples->isEmpty());
    file->insertMenu(before, samples);
}

void SweepsController::showFolder(const QString& folder) {
    m_window.tabs()->setCurrentWidget(m_page);
    m_page->openFolder(folder);
}

bool SweepsController::openIfSweep(const QString& path) {
    const QFileInfo info(path);
    QString folder;
    if (info.isDir() && isSweepFolder(path))
        folder = path;
    else if (info.isFile() && info.fileName() == QLatin1String("sweep.json"))
        folder = info.absolutePath();
    if (folder.isEmpty()) return false;
    showFolder(folder);
    return true;
}

void SweepsController::openRun(const QString& path) {
    RunRegistry& reg = m_window.registry();
    const QString canonical = QFileInfo(path).canonicalFilePath();
    int id = 0;
    for (const auto& r : reg.runs())
        if (QFileInfo(r->filePath).canonicalFilePath() == canonical) id = r->id;
    if (!id) id = m_window.openRunFile(path);
    if (!id) return;
    reg.setVisible(id, true);
    reg.setSelected(id);
    m_window.tabs()->setCurrentWidget(m_window.trainingView());
}

} // namespace attnscope::gui
