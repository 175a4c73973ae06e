#pragma once
// The runs table (TensorBoard HParams, W&B runs table): one row per open run with its mechanisms, key
// hyper-parameters, what it reached (final train/validation loss, max logit, min entropy), its events
// and status. Rows follow RunRegistry; SortRole gives numbers so columns sort by value, not by text.
#include "gui/compare/run_summary.h"
#include "gui/session/registry_table_model.h"

#include <map>

namespace attnscope::gui {

class RunsTableModel : public RegistryTableModel {
    Q_OBJECT
public:
    enum Column {
        // What the run reached first, so it is on screen at any width; then its settings.
        NameColumn,
        MechanismsColumn,
        TrainLossColumn,
        ValLossColumn,
        MaxLogitColumn,
        MinEntropyColumn,
        EventsColumn,
        StatusColumn,
        ShapeColumn,
        LrColumn,
        WeightDecayColumn,
        BatchColumn,
        StepsColumn,
        TagsColumn,
        ColumnCount
    };
    static constexpr int RunIdRole = Qt::UserRole + 1;
    static constexpr int SortRole = Qt::UserRole + 2;

    explicit RunsTableModel(RunRegistry& registry, QObject* parent = nullptr);

    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    void forget(int runId) override { m_cache.erase(runId); }
    const RunRow& summaryOf(int runId) const;
    mutable std::map<int, RunRow> m_cache; // run id → summary, dropped when the run changes
};

} // namespace attnscope::gui
