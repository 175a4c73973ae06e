#pragma once
// What the model predicts after every token of a probed text, one row per position: the token, the actual
// next token with its loss (−ln p, nats) and rank, and the model's three most likely next tokens. The loss
// cell is shaded by loss / ln V (V = vocabulary), 1 being what a uniform guess would cost.
#include "core/eval/text_probe.h"

#include <QAbstractTableModel>
#include <QStringList>

namespace attnscope::gui {

class ProbeTokenModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Position, Token, Next, Loss, Rank, Predicted, ColumnCount };
    static constexpr int SortRole = Qt::UserRole;

    using QAbstractTableModel::QAbstractTableModel;

    // `tok` is read during the call only (labels are copied).
    void setResult(const TextProbeResult& result, const Tokenizer* tok);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    std::vector<TokenPrediction> m_predictions;
    QStringList m_labels;     // [position]
    QStringList m_predicted;  // [position] "e 42% · a 13% · ␣ 9%"
    double m_uniformLoss = 1; // ln V
};

} // namespace attnscope::gui
