#include "gui/compare/runs_table_model.h"

#include "gui/session/run_registry.h"

#include <QColor>
#include <cmath>
#include <iterator>

namespace attnscope::gui {

namespace {
QVariant number(double v, int precision = 4) {
    return std::isfinite(v) ? QVariant(QString::number(v, 'g', precision)) : QVariant(QStringLiteral("—"));
}
// Missing values sort after every number in ascending order.
QVariant sortable(double v) {
    return std::isfinite(v) ? v : std::numeric_limits<double>::infinity();
}
} // namespace

RunsTableModel::RunsTableModel(RunRegistry& registry, QObject* parent)
    : RegistryTableModel(registry, parent) {}

int RunsTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

const RunRow& RunsTableModel::summaryOf(int runId) const {
    auto it = m_cache.find(runId);
    if (it == m_cache.end()) it = m_cache.emplace(runId, runRow(*registry().find(runId))).first;
    return it->second;
}

QVariant RunsTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const RunData& run = *registry().runs()[std::size_t(index.row())];
    if (role == RunIdRole) return run.id;
    const RunRow& s = summaryOf(run.id);
    const int column = index.column();
    if (role == Qt::DecorationRole && column == NameColumn) return run.color;
    if (role == Qt::ToolTipRole) {
        if (column == NameColumn)
            return run.filePath.isEmpty() ? run.name : QStringLiteral("%1\n%2").arg(run.name, run.filePath);
        if (column == EventsColumn) return s.eventKinds;
        if (column == StatusColumn) return QString::fromStdString(run.statusMessage);
    }
    if (role == Qt::TextAlignmentRole && ((column >= TrainLossColumn && column <= EventsColumn) ||
                                          (column >= LrColumn && column <= StepsColumn)))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ForegroundRole && column == StatusColumn &&
        (run.status == RunStatus::Diverged || run.status == RunStatus::Failed))
        return QColor(0xB0, 0x20, 0x20);
    if (role != Qt::DisplayRole && role != SortRole) return {};
    const bool sort = role == SortRole;
    switch (column) {
    case NameColumn:
        return run.name;
    case TagsColumn:
        return run.tags.join(QStringLiteral(", "));
    case MechanismsColumn:
        return s.mechanisms.isEmpty() ? tr("vanilla") : s.mechanisms.join(QStringLiteral(" · "));
    case ShapeColumn:
        return sort ? QVariant(run.spec.model.layers * 1000 + run.spec.model.heads) : QVariant(s.shape);
    case LrColumn:
        return sort ? sortable(s.lr) : number(s.lr, 3);
    case WeightDecayColumn:
        return sort ? sortable(s.weightDecay) : number(s.weightDecay, 3);
    case BatchColumn:
        return s.batch > 0 ? QVariant(s.batch) : QVariant(QString::fromUtf8(kUnknownValue));
    case StepsColumn:
        return sort ? QVariant(s.reached.lastStep)
                    : QVariant(s.plannedSteps > 0
                                   ? QStringLiteral("%1 / %2").arg(s.reached.lastStep).arg(s.plannedSteps)
                                   : QString::number(s.reached.lastStep));
    case TrainLossColumn:
        return sort ? sortable(s.reached.finalLoss) : number(s.reached.finalLoss);
    case ValLossColumn:
        return sort ? sortable(s.reached.finalValLoss) : number(s.reached.finalValLoss);
    case MaxLogitColumn:
        return sort ? sortable(s.reached.peakMaxLogit) : number(s.reached.peakMaxLogit);
    case MinEntropyColumn:
        return sort ? sortable(s.reached.lowestEntropy) : number(s.reached.lowestEntropy, 3);
    case EventsColumn:
        return s.reached.events;
    case StatusColumn:
        return s.status;
    default:
        return {};
    }
}

QVariant RunsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    struct Header {
        Column column;
        const char* name;
        const char* tip;
    };
    static const Header headers[] = {
        {NameColumn, QT_TR_NOOP("Run"), ""},
        {MechanismsColumn, QT_TR_NOOP("Mechanisms"), ""},
        {TrainLossColumn, QT_TR_NOOP("Train loss"), QT_TR_NOOP("last recorded training loss")},
        {ValLossColumn, QT_TR_NOOP("Val loss"), QT_TR_NOOP("last validation loss")},
        {MaxLogitColumn, QT_TR_NOOP("Peak max logit"),
         QT_TR_NOOP("largest content logit q·k/√D over all snapshots (the sweeps' max_logit is the last "
                    "snapshot's)")},
        {MinEntropyColumn, QT_TR_NOOP("Min entropy"),
         QT_TR_NOOP("smallest per-head attention entropy over all snapshots (nats)")},
        {EventsColumn, QT_TR_NOOP("Events"), QT_TR_NOOP("recorded events; the tooltip counts each kind")},
        {StatusColumn, QT_TR_NOOP("Status"), ""},
        {ShapeColumn, QT_TR_NOOP("Shape"), QT_TR_NOOP("layers × heads · model width · context")},
        {LrColumn, QT_TR_NOOP("LR"), QT_TR_NOOP("peak learning rate")},
        {WeightDecayColumn, QT_TR_NOOP("Weight decay"), ""},
        {BatchColumn, QT_TR_NOOP("Batch"), ""},
        {StepsColumn, QT_TR_NOOP("Steps"), QT_TR_NOOP("recorded / planned")},
        {TagsColumn, QT_TR_NOOP("Tags"), ""},
    };
    static_assert(std::size(headers) == ColumnCount);
    if (section < 0 || section >= ColumnCount) return {};
    const Header& h = headers[section];
    Q_ASSERT(h.column == section);
    if (role == Qt::DisplayRole) return tr(h.name);
    if (role == Qt::ToolTipRole && *h.tip) return tr(h.tip);
    return {};
}

} // namespace attnscope::gui
