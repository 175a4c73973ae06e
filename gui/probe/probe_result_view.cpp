#include "gui/probe/probe_result_view.h"

#include "gui/attention/attention_grid_view.h"
#include "gui/attention/attention_labels.h"
#include "gui/probe/probe_head_model.h"
#include "gui/probe/probe_token_model.h"

#include <QHeaderView>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace attnscope::gui {

namespace {
QTableView* makeTable(QSortFilterProxyModel* proxy, QWidget* parent) {
    auto* table = new QTableView(parent);
    table->setModel(proxy);
    table->setSortingEnabled(true);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setAlternatingRowColors(true);
    table->setWordWrap(false);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    return table;
}
} // namespace

ProbeResultView::ProbeResultView(QWidget* parent)
    : QWidget(parent), m_grid(new AttentionGridView), m_tables(new QTabWidget),
      m_heads(new ProbeHeadModel(this)), m_tokens(new ProbeTokenModel(this)),
      m_headProxy(new QSortFilterProxyModel(this)), m_tokenProxy(new QSortFilterProxyModel(this)) {
    m_headProxy->setSourceModel(m_heads);
    m_headProxy->setSortRole(ProbeHeadModel::SortRole);
    m_tokenProxy->setSourceModel(m_tokens);
    m_tokenProxy->setSortRole(ProbeTokenModel::SortRole);
    m_headTable = makeTable(m_headProxy, m_tables);
    m_tokenTable = makeTable(m_tokenProxy, m_tables);
    m_headTable->sortByColumn(-1, Qt::AscendingOrder);             // layer-major order until the user sorts
    m_headTable->horizontalHeader()->setStretchLastSection(false); // numbers stay next to their head
    m_tokenTable->sortByColumn(-1, Qt::AscendingOrder);
    m_tables->addTab(m_headTable, tr("Heads"));
    m_tables->addTab(m_tokenTable, tr("Next-token predictions"));
    m_tables->setDocumentMode(true);

    // Maps above, tables below: both want the width (the grid its enlarged map, the tables their columns).
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_grid);
    split->addWidget(m_tables);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({600, 400}); // the stretch factors only share what is left over the size hints
    split->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);

    connect(m_grid, &AttentionGridView::headSelected, this, &ProbeResultView::selectHeadRow);
    connect(m_headTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (!current.isValid() || m_selecting) return;
                m_grid->selectHead(current.data(ProbeHeadModel::LayerRole).toInt(),
                                   current.data(ProbeHeadModel::HeadRole).toInt());
            });
}

void ProbeResultView::setResult(const TextProbeResult& result, const Tokenizer* tok,
                                const ModelConfig& config) {
    m_snapshot = result.snapshot;
    m_grid->setSnapshot(m_snapshot, tok, config);
    m_heads->setSnapshot(m_snapshot, HeadTags::fromConfig(config));
    m_tokens->setResult(result, tok);
    selectHeadRow(m_grid->selectedLayer(), m_grid->selectedHead());
}

void ProbeResultView::clear() {
    m_snapshot = nullptr;
    m_grid->setSnapshot(nullptr, nullptr, ModelConfig{});
    m_heads->setSnapshot(nullptr, HeadTags{});
    m_tokens->setResult(TextProbeResult{}, nullptr);
}

void ProbeResultView::selectHeadRow(int layer, int head) {
    const int row = m_heads->rowOf(layer, head);
    if (row < 0) return;
    const QModelIndex index = m_headProxy->mapFromSource(m_heads->index(row, 0));
    m_selecting = true; // the grid already shows this head
    m_headTable->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                              QItemSelectionModel::Rows);
    m_selecting = false;
    m_headTable->scrollTo(index);
}

} // namespace attnscope::gui
