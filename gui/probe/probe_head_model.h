#pragma once
// Per-head metrics of a probe snapshot as a table, one row per layer × head: entropy, normalised entropy,
// max logit, sink score α₁ and mean attention distance (docs/metrics.md). Display text is rounded; SortRole
// holds the exact number so that a proxy sorts numerically.
#include "core/probe/snapshot.h"
#include "gui/attention/attention_labels.h"

#include <QAbstractTableModel>

namespace attnscope::gui {

class ProbeHeadModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Head, Entropy, NormEntropy, MaxLogit, SinkScore, MeanDistance, ColumnCount };
    static constexpr int SortRole = Qt::UserRole;
    static constexpr int LayerRole = Qt::UserRole + 1; // on every cell of a row
    static constexpr int HeadRole = Qt::UserRole + 2;

    using QAbstractTableModel::QAbstractTableModel;

    void setSnapshot(SnapshotPtr snapshot, const HeadTags& tags);
    int rowOf(int layer, int head) const; // -1 without a snapshot

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    float value(int row, int column) const;
    SnapshotPtr m_snapshot;
    HeadTags m_tags;
};

} // namespace attnscope::gui
