#include "gui/app/run_list_model.h"

#include "gui/session/run_registry.h"

#include <QColor>
#include <QPainter>
#include <QPixmap>
#include <QStringList>

namespace attnscope::gui {

namespace {
// A filled rounded square: bigger and clearer than the default colour decoration.
QPixmap swatch(const QColor& color) {
    QPixmap pm(14, 14);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(color.darker(140));
    p.setBrush(color);
    p.drawRoundedRect(QRectF(0.5, 0.5, 13, 13), 3, 3);
    return pm;
}
} // namespace

RunListModel::RunListModel(RunRegistry& registry, QObject* parent) : RegistryTableModel(registry, parent) {}

int RunListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const RunData& run = *registry().runs()[std::size_t(index.row())];
    if (role == RunIdRole) return run.id;
    switch (index.column()) {
    case ColorColumn:
        if (role == Qt::EditRole) return run.color;
        if (role == Qt::DecorationRole) return swatch(run.color);
        if (role == Qt::ToolTipRole) return tr("Click to change the run's colour");
        break;
    case NameColumn:
        if (role == Qt::DisplayRole || role == Qt::EditRole) return run.name;
        if (role == Qt::CheckStateRole) return run.visible ? Qt::Checked : Qt::Unchecked;
        if (role == Qt::ToolTipRole)
            return run.filePath.isEmpty()
                       ? tr("%1\nCheck to show in the charts").arg(run.name)
                       : tr("%1\n%2\nCheck to show in the charts").arg(run.name, run.filePath);
        break;
    case StatusColumn:
        if (role == Qt::DisplayRole) {
            if (run.status == RunStatus::Training) {
                const std::optional<int> total = run.plannedSteps();
                return total ? tr("training · %1/%2").arg(run.lastStep()).arg(*total)
                             : tr("training · %1").arg(run.lastStep());
            }
            return run.statusText();
        }
        if (role == Qt::ToolTipRole && !run.statusMessage.empty())
            return QString::fromStdString(run.statusMessage);
        if (role == Qt::ForegroundRole) {
            if (run.status == RunStatus::Diverged || run.status == RunStatus::Failed)
                return QColor(0xB0, 0x20, 0x20);
            if (run.status == RunStatus::Training) return QColor(0x1D, 0x6B, 0x35);
        }
        break;
    case MechanismsColumn: {
        QStringList badges;
        for (const std::string& b : run.badges()) badges << QString::fromStdString(b);
        if (run.spec.data.bos) badges << QStringLiteral("BOS");
        if (role == BadgesRole) return badges;
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole) return badges.join(QStringLiteral(" · "));
        break;
    }
    default:
        break;
    }
    return {};
}

bool RunListModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    const int id = runIdAt(index.row());
    if (!id) return false;
    if (index.column() == NameColumn && role == Qt::CheckStateRole) {
        registry().setVisible(id, value.toInt() == Qt::Checked);
        return true;
    }
    if (index.column() == ColorColumn && role == Qt::EditRole) {
        registry().setColor(id, value.value<QColor>());
        return true;
    }
    return false;
}

Qt::ItemFlags RunListModel::flags(const QModelIndex& index) const {
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.column() == NameColumn) f |= Qt::ItemIsUserCheckable;
    return f;
}

QVariant RunListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case ColorColumn:
        return QString();
    case NameColumn:
        return tr("Run");
    case StatusColumn:
        return tr("Status");
    case MechanismsColumn:
        return tr("Mechanisms");
    default:
        return {};
    }
}

} // namespace attnscope::gui
