#pragma once
// The Sweeps page's results table: one row per variant × LR with the seeds aggregated (mean ± sample sd over
// the seeds that finished), or one row per cell. Columns: variant, LR, seed(s), final validation loss, final
// max logit, status, and the variant's LR sensitivity ± sd over seeds (core summarize(), Wortsman et al.).
// Qt::UserRole holds a number to sort by; rowCells() names the cells behind a row (to open their runs).
#include "core/sweep/sweep_summary.h"

#include <QAbstractTableModel>
#include <memory>
#include <vector>

namespace attnscope::gui {

struct SweepData;

class SweepTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Variant, Lr, Seeds, FinalLoss, MaxLogit, Status, Sensitivity, ColumnCount };

    explicit SweepTableModel(QObject* parent = nullptr);

    void setData(std::shared_ptr<const SweepData> data);
    void setPerCell(bool perCell);
    bool perCell() const { return m_perCell; }
    const std::vector<int>& rowCells(int row) const { return m_rows[std::size_t(row)].cells; }
    // The LR sensitivity shown for `row` (null without an LR axis).
    const LrSensitivity* rowSensitivity(int row) const { return m_rows[std::size_t(row)].sensitivity; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        QString variant, lr, seeds, status, statusTip;
        double lrValue = 0, seedValue = 0;
        Stat loss, logit;
        std::vector<int> cells;
        const LrSensitivity* sensitivity = nullptr;
        bool diverged = false, complete = false;
    };
    void rebuild();

    std::shared_ptr<const SweepData> m_data;
    bool m_perCell = false;
    std::vector<Row> m_rows;
};

} // namespace attnscope::gui
