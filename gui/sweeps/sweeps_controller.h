#pragma once
// The Sweeps page and what opens it: the page (key "sweeps"), File › Open sweep… / New sweep… / Sample
// sweeps, and opening a folder that holds a sweep.json (or the sweep.json itself) as a sweep wherever a run
// file would be opened. A row double-clicked on the page opens its run file and shows the Training page (the
// open run is reused).
#include <QColor>
#include <QObject>
#include <QStringList>
#include <functional>

class QAction;
class QMenu;

namespace attnscope::gui {

class PageSwitcher;
class RunRegistry;
class SweepsPage;

class SweepsController : public QObject {
    Q_OBJECT
public:
    // Adds the page to `pages`. `openRunFile` opens a run file as File › Open does (the run id, 0 on
    // failure).
    SweepsController(RunRegistry& registry, PageSwitcher& pages,
                     std::function<int(const QString&)> openRunFile, QObject* parent = nullptr);

    SweepsPage* page() const { return m_page; }
    // Open sweep…, New sweep… and Sample sweeps, inserted before `before` in `file`.
    void addFileActions(QMenu& file, QAction* before);
    // When `path` is a sweep folder or its sweep.json: shows the Sweeps page on it and returns true.
    bool openIfSweep(const QString& path);
    void showFolder(const QString& folder); // the page, current, on `folder`

    // The shipped sweeps: every <sample folder>/sweeps/<name> holding a sweep.json, by name.
    static QStringList sampleSweepFolders();
    static QString sampleSweep(const QString& name); // empty when not shipped
    // The colour of the run file of a cell of the sweep on the page: its variant's (figures/palette.h);
    // invalid when the file is not one of its cells.
    QColor cellColor(const QString& path) const;

signals:
    void message(const QString& text); // for the status bar

private:
    void openRun(const QString& path);

    RunRegistry& m_registry;
    PageSwitcher& m_pages;
    std::function<int(const QString&)> m_openRunFile;
    SweepsPage* m_page;
};

} // namespace attnscope::gui
