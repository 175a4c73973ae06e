#include "gui/sweeps/sweep_table_model.h"

#include "gui/sweeps/sweep_curves.h"
#include "gui/sweeps/sweep_folder.h"

#include <QBrush>
#include <QColor>
#include <QStringList>
#include <cmath>
#include <map>

namespace attnscope::gui {

namespace {

QString axisText(const SweepCell& cell, int axis) {
    return axis < 0 ? QString() : QString::fromStdString(cell.labels[std::size_t(axis)]);
}

double axisNumber(const SweepData& d, const SweepCell& cell, int axis) {
    if (axis < 0) return 0;
    const auto& v = d.spec.axes[std::size_t(axis)].values[cell.point[std::size_t(axis)]];
    return v.is_number() ? v.get<double>() : double(cell.point[std::size_t(axis)]);
}

std::vector<std::string> variantKey(const SweepCell& cell, int lrAxis, int seedAxis) {
    std::vector<std::string> out;
    for (int i = 0; i < int(cell.labels.size()); ++i)
        if (i != lrAxis && i != seedAxis) out.push_back(cell.labels[std::size_t(i)]);
    return out;
}

// "3 finished", "2 finished, 1 diverged", "running 12/30"…: the states of a row's cells, counted.
QString statusText(const SweepData& d, const std::vector<int>& cells, bool single) {
    std::map<QString, int> counts;
    QStringList order;
    for (int i : cells) {
        const CellResult& r = d.summary.cells[std::size_t(i)];
        QString s = QString::fromStdString(r.status);
        if (single && !r.complete && r.steps > 0 && r.status != "missing" && r.status != "unreadable")
            s = QStringLiteral("%1 %2/%3").arg(s).arg(r.step).arg(r.steps);
        if (d.sources[std::size_t(i)] == CellSource::SummaryCsv && single) s += QObject::tr(" (summary)");
        if (!counts.count(s)) order << s;
        ++counts[s];
    }
    if (single) return order.value(0);
    QStringList parts;
    for (const QString& s : order) parts << QStringLiteral("%1 %2").arg(counts[s]).arg(s);
    return parts.join(QStringLiteral(", "));
}

} // namespace

SweepTableModel::SweepTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void SweepTableModel::setData(std::shared_ptr<const SweepData> data) {
    m_data = std::move(data);
    rebuild();
}

void SweepTableModel::setPerCell(bool perCell) {
    if (perCell == m_perCell) return;
    m_perCell = perCell;
    rebuild();
}

void SweepTableModel::rebuild() {
    beginResetModel();
    m_rows.clear();
    if (m_data) {
        const SweepData& d = *m_data;
        const int lrAxis = d.summary.lrAxis, seedAxis = d.summary.seedAxis;
        std::map<std::vector<std::string>, std::size_t> groupRow;
        for (std::size_t i = 0; i < d.cells.size(); ++i) {
            const SweepCell& cell = d.cells[i];
            std::vector<std::string> key = cell.labels;
            if (!m_perCell && seedAxis >= 0) key.erase(key.begin() + seedAxis);
            auto [it, added] = groupRow.emplace(key, m_rows.size());
            if (added) {
                Row r;
                QStringList variant;
                for (const std::string& l : variantKey(cell, lrAxis, seedAxis))
                    variant << QString::fromStdString(l);
                r.variant = variant.isEmpty() ? QString::fromStdString(d.spec.name)
                                              : variant.join(QStringLiteral(" · "));
                r.lr = axisText(cell, lrAxis);
                r.lrValue = axisNumber(d, cell, lrAxis);
                r.seedValue = axisNumber(d, cell, seedAxis);
                for (const LrSensitivity& l : d.summary.sensitivity)
                    if (l.labels == variantKey(cell, lrAxis, seedAxis)) r.sensitivity = &l;
                m_rows.push_back(r);
            }
            m_rows[it->second].cells.push_back(int(i));
        }
        for (Row& r : m_rows) {
            std::vector<double> loss, logit;
            QStringList seeds;
            r.complete = true;
            for (int i : r.cells) {
                const CellResult& c = d.summary.cells[std::size_t(i)];
                if (seedAxis >= 0) seeds << axisText(d.cells[std::size_t(i)], seedAxis);
                r.complete = r.complete && c.complete;
                if (!c.complete) continue;
                if (c.diverged || !std::isfinite(c.finalValLoss)) {
                    r.diverged = true;
                    continue;
                }
                loss.push_back(c.finalValLoss);
                logit.push_back(c.maxLogit);
            }
            r.seeds = seeds.join(QStringLiteral(", "));
            r.loss = meanSd(loss);
            r.logit = meanSd(logit);
            r.status = statusText(d, r.cells, m_perCell);
        }
    }
    endResetModel();
}

int SweepTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SweepTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SweepTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= int(m_rows.size())) return {};
    const Row& r = m_rows[std::size_t(index.row())];
    const auto sens = r.sensitivity ? r.sensitivity->sensitivity : Stat{};
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Variant:
            return r.variant;
        case Lr:
            return r.lr.isEmpty() ? QStringLiteral("—") : r.lr;
        case Seeds:
            return r.seeds;
        case FinalLoss:
            return formatStat(r.loss, 4);
        case MaxLogit:
            return formatStat(r.logit, 3);
        case Status:
            return r.status;
        case Sensitivity:
            return r.sensitivity ? formatStat(sens, 3) : QStringLiteral("—");
        }
    } else if (role == Qt::UserRole) { // sort keys: numbers where the column is numeric
        switch (index.column()) {
        case Variant:
            return r.variant;
        case Lr:
            return r.lrValue;
        case Seeds:
            return r.seedValue;
        case FinalLoss:
            return r.loss.n ? r.loss.mean : 1e300;
        case MaxLogit:
            return r.logit.n ? r.logit.mean : 1e300;
        case Status:
            return r.status;
        case Sensitivity:
            return std::isnan(sens.mean) ? 1e300 : sens.mean;
        }
    } else if (role == Qt::ForegroundRole && index.column() == Status && r.diverged) {
        return QBrush(QColor(0xB0, 0x30, 0x20));
    } else if (role == Qt::ForegroundRole && !r.complete) {
        return QBrush(QColor(120, 120, 120));
    } else if (role == Qt::ToolTipRole && index.column() == Sensitivity && r.sensitivity) {
        QStringList seeds;
        for (double v : r.sensitivity->perSeed)
            seeds << (std::isnan(v) ? QStringLiteral("—") : QString::number(v, 'g', 3));
        return tr("LR sensitivity of this variant per seed: %1\nbest LR %2 (final val loss %3), %4 diverged "
                  "cell(s)")
            .arg(seeds.join(QStringLiteral(", ")), QString::number(r.sensitivity->bestLr, 'g', 3),
                 QString::number(r.sensitivity->bestLoss, 'g', 4))
            .arg(r.sensitivity->diverged);
    } else if (role == Qt::ToolTipRole && index.column() == FinalLoss) {
        return tr("Final validation loss, mean ± sample sd over the seeds that finished (diverged seeds are "
                  "counted in Status, not here)");
    }
    return {};
}

QVariant SweepTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case Variant:
        return tr("Variant");
    case Lr:
        return tr("LR");
    case Seeds:
        return m_perCell ? tr("Seed") : tr("Seeds");
    case FinalLoss:
        return tr("Final val loss");
    case MaxLogit:
        return tr("Max logit");
    case Status:
        return tr("Status");
    case Sensitivity:
        return tr("LR sensitivity (variant)");
    }
    return {};
}

} // namespace attnscope::gui
