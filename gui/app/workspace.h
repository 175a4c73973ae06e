#pragma once
// The workspace that lasts between sessions (QSettings "workspace/…"): which run files were open, in which
// order, with their visibility, colours, names and tags, which one was selected, and the current page; and
// the colour of every run file that was ever open in it (RunRegistry::rememberedColors), so a run keeps its
// colour for the life of the workspace.
// Window geometry and the dock layout are saved beside it by MainWindow. Runs without a file (recording
// off) cannot come back and are not saved.
#include <QColor>
#include <QString>
#include <QStringList>
#include <vector>

class QTabWidget;

namespace attnscope::gui {

class RunRegistry;

struct WorkspaceRun {
    QString path;
    QString name;
    QStringList tags;
    QColor color;
    bool visible = true;
    bool selected = false;
};

class Workspace {
public:
    // What is open now, in registry order.
    static std::vector<WorkspaceRun> capture(const RunRegistry& registry);
    static void save(const RunRegistry& registry, const QTabWidget* pages);
    static std::vector<WorkspaceRun> saved();
    static int savedPage();
    // Opens every saved run that still exists through `open` (returns the run id, 0 on failure) and gives it
    // back its visibility, colour, name and tags; selects the saved selection. Returns the messages of
    // runs that could not be reopened.
    template <typename Open> static QStringList restore(RunRegistry& registry, Open&& open);
    // Gives the registry the saved colour of every run file this workspace has seen (also when the app
    // starts with files to open instead of the saved runs).
    static void restoreColors(RunRegistry& registry);

private:
    static QStringList apply(RunRegistry& registry, const std::vector<std::pair<WorkspaceRun, int>>& opened);
};

template <typename Open> QStringList Workspace::restore(RunRegistry& registry, Open&& open) {
    restoreColors(registry); // before opening: each run takes its own colour as it enters
    std::vector<std::pair<WorkspaceRun, int>> opened;
    for (const WorkspaceRun& run : saved()) opened.emplace_back(run, open(run.path));
    return apply(registry, opened);
}

} // namespace attnscope::gui
