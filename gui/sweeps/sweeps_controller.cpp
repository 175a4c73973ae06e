#include "gui/sweeps/sweeps_controller.h"

#include "figures/palette.h"
#include "figures/sweep_figure.h"
#include "gui/session/run_registry.h"
#include "gui/session/sample_runs.h"
#include "gui/sweeps/sweep_folder.h"
#include "gui/sweeps/sweeps_page.h"
#include "gui/widgets/page_switcher.h"

#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>
#include <QTabWidget>

namespace attnscope::gui {

SweepsController::SweepsController(RunRegistry& registry, PageSwitcher& pages,
                                   std::function<int(const QString&)> openRunFile, QObject* parent)
    : QObject(parent), m_registry(registry), m_pages(pages), m_openRunFile(std::move(openRunFile)) {
    setObjectName(QStringLiteral("sweepsController"));
    m_page = new SweepsPage(&pages.tabs());
    pages.addPage(m_page, tr("Sweeps"), QStringLiteral("sweeps"));
    connect(m_page, &SweepsPage::openRunRequested, this, &SweepsController::openRun);
    connect(m_page, &SweepsPage::message, this, &SweepsController::message);
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

void SweepsController::addFileActions(QMenu& menu, QAction* before) {
    QMenu* file = &menu;
    QAction* open = new QAction(tr("Open s&weep…"), file);
    connect(open, &QAction::triggered, this, [this] {
        m_pages.show(m_page);
        m_page->openDialog();
    });
    QAction* create = new QAction(tr("New s&weep…"), file);
    connect(create, &QAction::triggered, this, [this] {
        m_pages.show(m_page);
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
    m_pages.show(m_page);
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

QColor SweepsController::cellColor(const QString& path) const {
    const SweepData* data = m_page->data().get();
    if (!data) return {};
    const QString canonical = QFileInfo(path).canonicalFilePath();
    const std::vector<int> variants = figures::sweepVariantOfCells(data->summary);
    for (std::size_t i = 0; i < data->runPaths.size() && i < variants.size(); ++i)
        if (QFileInfo(data->runPaths[i]).canonicalFilePath() == canonical)
            return sweepVariantColor(variants[i]);
    return {};
}

void SweepsController::openRun(const QString& path) {
    RunRegistry& reg = m_registry;
    const QString canonical = QFileInfo(path).canonicalFilePath();
    int id = 0;
    for (const auto& r : reg.runs())
        if (QFileInfo(r->filePath).canonicalFilePath() == canonical) id = r->id;
    // The run takes its variant's colour (figures/palette.h), unless another open run holds it.
    if (const QColor color = cellColor(path); color.isValid()) {
        bool taken = false;
        for (const auto& r : reg.runs()) taken = taken || (r->id != id && r->color == color);
        if (!taken) {
            reg.rememberColor(path, color);
            if (id) reg.setColor(id, color);
        }
    }
    if (!id) id = m_openRunFile(path);
    if (!id) return;
    reg.setVisible(id, true);
    reg.setSelected(id);
    m_pages.show(QStringLiteral("training"));
}

} // namespace attnscope::gui
