#pragma once
// The rows of a table model over RunRegistry: one row per open run, in the registry's order, inserted,
// removed and refreshed as the registry announces it. Subclasses say what the columns show.
#include <QAbstractTableModel>

namespace attnscope::gui {

class RunRegistry;

class RegistryTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    int rowCount(const QModelIndex& parent = {}) const override;
    int runIdAt(int row) const; // 0 outside the rows
    int rowOf(int runId) const; // -1 when the run is not open

protected:
    explicit RegistryTableModel(RunRegistry& registry, QObject* parent = nullptr);
    // A run's status, appearance or data changed, or it is about to go: what a subclass caches of it is
    // stale.
    virtual void forget(int /*runId*/) {}
    RunRegistry& registry() const { return m_registry; }

private:
    void runChanged(int runId);
    RunRegistry& m_registry;
};

} // namespace attnscope::gui
