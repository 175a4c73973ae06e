#include "gui/session/registry_table_model.h"

#include "gui/session/run_registry.h"

namespace attnscope::gui {

RegistryTableModel::RegistryTableModel(RunRegistry& registry, QObject* parent)
    : QAbstractTableModel(parent), m_registry(registry) {
    // The registry appends runs and removes them one at a time; rows follow its order exactly.
    connect(&registry, &RunRegistry::runAboutToBeAdded, this, [this] {
        const int row = int(m_registry.runs().size());
        beginInsertRows({}, row, row);
    });
    connect(&registry, &RunRegistry::runAdded, this, [this] { endInsertRows(); });
    connect(&registry, &RunRegistry::runAboutToBeRemoved, this, [this](int id) {
        const int row = m_registry.indexOf(id);
        beginRemoveRows({}, row, row);
        forget(id);
    });
    connect(&registry, &RunRegistry::runRemoved, this, [this] { endRemoveRows(); });
    connect(&registry, &RunRegistry::appearanceChanged, this, &RegistryTableModel::runChanged);
    connect(&registry, &RunRegistry::statusChanged, this, &RegistryTableModel::runChanged);
    connect(&registry, &RunRegistry::dataAppended, this, &RegistryTableModel::runChanged);
}

int RegistryTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_registry.runs().size());
}

int RegistryTableModel::runIdAt(int row) const {
    return row >= 0 && row < rowCount() ? m_registry.runs()[std::size_t(row)]->id : 0;
}

int RegistryTableModel::rowOf(int runId) const {
    return m_registry.indexOf(runId);
}

void RegistryTableModel::runChanged(int runId) {
    forget(runId);
    const int row = rowOf(runId);
    if (row >= 0) emit dataChanged(index(row, 0), index(row, columnCount() - 1));
}

} // namespace attnscope::gui
