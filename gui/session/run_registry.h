#pragma once
// Every open run (live or loaded), the selected run, and change notifications. This is the GUI's single
// model: sessions and loaders write RunData and call notify*(); views and panels only read and listen.
#include "gui/session/run_data.h"

#include <QObject>
#include <map>
#include <memory>
#include <vector>

namespace attnscope::gui {

class SnapshotBackfill;
class SnapshotMapCache;

class RunRegistry : public QObject {
    Q_OBJECT
public:
    explicit RunRegistry(QObject* parent = nullptr);
    ~RunRegistry() override;

    // Takes the run, assigns an id, a name no open run has ("name #2" for a second "name") and a colour
    // (the run colour rule, figures/palette.h): its own when set, else the one its file was given before in
    // this workspace (rememberedColor), else the first of the run sequence no open run has; a colour taken by
    // another open run is replaced by that first free one. Selects the run; returns the id. A run with
    // pendingSnapshots gets them decoded from its file on a worker thread (SnapshotBackfill).
    int add(RunData run);
    // True while the run's snapshots are still being decoded from its file.
    bool isDecoding(int id) const;
    void remove(int id);

    RunData* find(int id);
    const RunData* find(int id) const;
    const std::vector<std::unique_ptr<RunData>>& runs() const { return m_runs; }
    int indexOf(int id) const; // position in runs(), -1 if absent

    int selectedId() const { return m_selected; }
    const RunData* selected() const { return find(m_selected); }
    void setSelected(int id);

    // `name` itself when no other open run is called that, else "name #2", "name #3", …
    QString uniqueName(const QString& name, int exceptId = 0) const;
    void rename(int id, const QString& name); // made unique; an empty name is refused
    void setTags(int id, const QStringList& tags);
    void setColor(int id, const QColor& c); // also remembered for the run's file

    // The colour every run file that entered this workspace holds or held last, by absolute path: a run
    // closed and opened again comes back in it. The workspace saves and restores the whole book.
    QColor rememberedColor(const QString& filePath) const;
    // What the next add() of `filePath` takes (a sweep variant's colour, for a cell opened from the Sweeps
    // page).
    void rememberColor(const QString& filePath, const QColor& c);
    const std::map<QString, QColor>& rememberedColors() const { return m_rememberedColors; }
    void setVisible(int id, bool visible);
    void setPinnedStep(int id, std::optional<int> step); // nullopt clears the pin

    // The maps of snapshots opened without them (RunData::mapsOnDemand), read on demand within a budget.
    SnapshotMapCache& mapCache() { return *m_mapCache; }

    // Producers call these after mutating a RunData.
    void notifyDataAppended(int id) { emit dataAppended(id); }
    void notifyStatusChanged(int id) { emit statusChanged(id); }

signals:
    void runAboutToBeAdded(int id); // appended at the end of runs() right after this (item models)
    void runAdded(int id);
    void runAboutToBeRemoved(int id);
    void runRemoved(int id);
    void appearanceChanged(int id); // colour, visibility, name or tags
    void statusChanged(int id);
    void dataAppended(int id); // new steps, snapshots, events or evals
    void selectionChanged(int id);
    void pinChanged(int id); // the run's pinned step A was set, moved or cleared

private:
    std::vector<std::unique_ptr<RunData>> m_runs;
    std::map<int, std::unique_ptr<SnapshotBackfill>> m_backfills; // destroyed (joined) before m_runs
    SnapshotMapCache* m_mapCache;                                 // a child QObject
    std::map<QString, QColor> m_rememberedColors;                 // absolute file path → colour
    int m_nextId = 1;
    int m_selected = 0;
};

} // namespace attnscope::gui
