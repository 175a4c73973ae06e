#pragma once
// Installs the Sweeps page on the main window (kept out of MainWindow, like the lessons): the page (through
// MainWindow::addPage, lesson key "sweeps"), File › Open sweep… / New sweep… / Sample sweeps, and opening a
// folder that holds a sweep.json (or the sweep.json itself) as a sweep wherever a run file would be opened.
// A row double-clicked on the page opens its run file in the other tabs (the open run is reused).
#include <QObject>
#include <QStringList>

class QMenu;

namespace attnscope::gui {

class MainWindow;
class SweepsPage;

class SweepsController : public QObject {
    Q_OBJECT
public:
    explicit SweepsController(MainWindow& window);

    SweepsPage* page() const { return m_page; }
    // When `path` is a sweep folder or its sweep.json: shows the Sweeps page on it and returns true.
    bool openIfSweep(const QString& path);
    void showFolder(const QString& folder); // the page, current, on `folder`

    // The shipped sweeps: every <sample folder>/sweeps/<name> holding a sweep.json, by name.
    static QStringList sampleSweepFolders();
    static QString sampleSweep(const QString& name); // empty when not shipped

private:
    void addMenuActions();
    void openRun(const QString& path);

    MainWindow& m_window;
    SweepsPage* m_page;
};

} // namespace attnscope::gui
