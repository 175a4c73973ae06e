#pragma once
// The result of a text probe in the views a recorded snapshot gets: the layers × heads attention grid with
// the probe's tokens as labels (click a head to enlarge it), a table of every head's metrics and a table of
// the next-token predictions. Selecting a head in the grid or in the table selects it in the other.
#include "core/eval/text_probe.h"
#include "core/model/config.h"

#include <QWidget>

class AttentionGridView;
class QLabel;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;

namespace attnscope::gui {

class ProbeHeadModel;
class ProbeTokenModel;

class ProbeResultView : public QWidget {
    Q_OBJECT
public:
    explicit ProbeResultView(QWidget* parent = nullptr);

    // `tok` is only read during the call.
    void setResult(const TextProbeResult& result, const Tokenizer* tok, const ModelConfig& config);
    void clear();
    bool hasResult() const { return m_snapshot != nullptr; }
    SnapshotPtr snapshot() const { return m_snapshot; }

    AttentionGridView* grid() const { return m_grid; }
    ProbeHeadModel* headModel() const { return m_heads; }
    ProbeTokenModel* tokenModel() const { return m_tokens; }
    QTableView* headTable() const { return m_headTable; }
    QTabWidget* tables() const { return m_tables; }

private:
    void selectHeadRow(int layer, int head);

    SnapshotPtr m_snapshot;
    AttentionGridView* m_grid;
    QTabWidget* m_tables;
    ProbeHeadModel* m_heads;
    ProbeTokenModel* m_tokens;
    QSortFilterProxyModel* m_headProxy;
    QSortFilterProxyModel* m_tokenProxy;
    QTableView* m_headTable;
    QTableView* m_tokenTable;
    bool m_selecting = false;
};

} // namespace attnscope::gui
