#include "gui/probe/probe_head_model.h"

#include <cmath>

namespace attnscope::gui {

void ProbeHeadModel::setSnapshot(SnapshotPtr snapshot, const HeadTags& tags) {
    beginResetModel();
    m_snapshot = std::move(snapshot);
    m_tags = tags;
    endResetModel();
}

int ProbeHeadModel::rowOf(int layer, int head) const {
    if (!m_snapshot || layer < 0 || head < 0 || layer >= m_snapshot->layers || head >= m_snapshot->heads)
        return -1;
    return int(m_snapshot->headIndex(layer, head));
}

int ProbeHeadModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() || !m_snapshot ? 0 : m_snapshot->layers * m_snapshot->heads;
}

int ProbeHeadModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

float ProbeHeadModel::value(int row, int column) const {
    const ProbeSnapshot& s = *m_snapshot;
    switch (column) {
    case Entropy:
        return s.entropy[std::size_t(row)];
    case NormEntropy:
        return s.normEntropy[std::size_t(row)];
    case MaxLogit:
        return s.maxLogit[std::size_t(row)];
    case SinkScore:
        return s.sinkScore[std::size_t(row)];
    case MeanDistance:
        return s.meanDistance[std::size_t(row)];
    default:
        return NAN;
    }
}

QVariant ProbeHeadModel::data(const QModelIndex& index, int role) const {
    if (!m_snapshot || !index.isValid() || index.row() >= rowCount()) return {};
    const int layer = index.row() / m_snapshot->heads, head = index.row() % m_snapshot->heads;
    if (role == LayerRole) return layer;
    if (role == HeadRole) return head;
    if (index.column() == Head) {
        if (role == Qt::DisplayRole) return headTitle(m_tags, layer, head);
        if (role == SortRole) return index.row();
        return {};
    }
    const float v = value(index.row(), index.column());
    switch (role) {
    case Qt::DisplayRole:
        return std::isfinite(v) ? QString::number(v, 'f', index.column() == MeanDistance ? 1 : 3)
                                : QStringLiteral("—");
    case SortRole:
        return double(v);
    case Qt::TextAlignmentRole:
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant ProbeHeadModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    static const char* const names[] = {"Head",      "Entropy", "Norm. entropy",
                                        "Max logit", "Sink α₁", "Mean dist."};
    static const char* const tips[] = {
        "Layer and head, 0-based, with their mechanism tags",
        "Mean over queries of −Σ A ln A (nats)",
        "Mean over queries with ≥ 2 visible keys of H / ln n, in [0, 1]: 1 = uniform, 0 = one key",
        "Largest content logit q·k/√D over visible pairs (before ALiBi bias and mask)",
        "Mean attention on key 0 over the queries that see it (attention sink)",
        "Mean over queries of Σ A·(i − j): how far back the head looks, in tokens"};
    if (section < 0 || section >= ColumnCount) return {};
    if (role == Qt::DisplayRole) return QString::fromUtf8(names[section]);
    if (role == Qt::ToolTipRole) return QString::fromUtf8(tips[section]);
    return {};
}

} // namespace attnscope::gui
