#include "gui/probe/probe_token_model.h"

#include "gui/attention/attention_labels.h"

#include <QColor>
#include <algorithm>
#include <cmath>

namespace attnscope::gui {

void ProbeTokenModel::setResult(const TextProbeResult& result, const Tokenizer* tok) {
    beginResetModel();
    m_predictions = result.predictions;
    m_labels = result.snapshot ? tokenLabels(result.snapshot->tokens, tok) : QStringList();
    m_predicted.clear();
    for (const TokenPrediction& p : m_predictions) {
        QStringList parts;
        for (int j = 0; j < TokenPrediction::kTop; ++j)
            if (p.top[std::size_t(j)] >= 0)
                parts << QStringLiteral("%1 %2%")
                             .arg(tokenLabels({p.top[std::size_t(j)]}, tok).value(0))
                             .arg(100.0 * p.topProbability[std::size_t(j)], 0, 'f', 0);
        m_predicted << parts.join(QStringLiteral(" · "));
    }
    m_uniformLoss = tok && tok->vocabSize() > 1 ? std::log(double(tok->vocabSize())) : 1.0;
    endResetModel();
}

int ProbeTokenModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_predictions.size());
}

int ProbeTokenModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProbeTokenModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const int i = index.row();
    const TokenPrediction& p = m_predictions[std::size_t(i)];
    const bool last = i + 1 >= rowCount();
    switch (index.column()) {
    case Position:
        if (role == Qt::DisplayRole || role == SortRole) return i;
        break;
    case Token:
        if (role == Qt::DisplayRole || role == SortRole) return m_labels.value(i);
        break;
    case Next:
        if (role == Qt::DisplayRole || role == SortRole) return last ? QString() : m_labels.value(i + 1);
        break;
    case Loss:
        if (role == Qt::DisplayRole) return last ? QStringLiteral("—") : QString::number(p.loss, 'f', 3);
        if (role == SortRole) return last ? -1.0 : double(p.loss);
        if (role == Qt::BackgroundRole && !last) {
            // Warm shading up to the cost of a uniform guess; beyond it the model is worse than guessing.
            const double x = std::clamp(double(p.loss) / m_uniformLoss, 0.0, 1.0);
            return QColor(230, 85, 13, int(std::lround(150 * x)));
        }
        break;
    case Rank:
        if (role == Qt::DisplayRole) return last ? QString() : QString::number(p.rank);
        if (role == SortRole) return p.rank;
        break;
    case Predicted:
        if (role == Qt::DisplayRole || role == SortRole) return m_predicted.value(i);
        break;
    default:
        break;
    }
    if (role == Qt::TextAlignmentRole &&
        (index.column() == Loss || index.column() == Rank || index.column() == Position))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant ProbeTokenModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount) return {};
    static const char* const names[] = {"#", "Token", "Next", "Loss", "Rank", "Predicted next"};
    static const char* const tips[] = {
        "Position in the probed text (0-based, <bos> included)",
        "The token at this position",
        "The token that actually follows",
        "−ln p(next) in nats; shaded up to ln V, the cost of a uniform guess",
        "Rank of the actual next token among all tokens (1 = the model's first choice)",
        "The model's three most likely next tokens with their probabilities"};
    if (role == Qt::DisplayRole) return QString::fromUtf8(names[section]);
    if (role == Qt::ToolTipRole) return QString::fromUtf8(tips[section]);
    return {};
}

} // namespace attnscope::gui
