#include "gui/compare/runs_table_page.h"

#include "gui/compare/runs_table_model.h"
#include "gui/session/run_registry.h"
#include "gui/widgets/secondary_text.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

namespace attnscope::gui {

RunsTablePage::RunsTablePage(RunRegistry& registry, QWidget* parent)
    : QWidget(parent), m_registry(registry), m_model(new RunsTableModel(registry, this)),
      m_proxy(new QSortFilterProxyModel(this)) {
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(RunsTableModel::SortRole);
    m_proxy->setFilterKeyColumn(-1); // any column
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* bar = new QHBoxLayout;
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("runsFilter"));
    m_filter->setPlaceholderText(tr("Filter: name, tag, mechanism, status…"));
    m_filter->setClearButtonEnabled(true);
    auto* showAll = new QPushButton(tr("Show all in charts"), this);
    showAll->setObjectName(QStringLiteral("showAllRuns"));
    auto* hint = new QLabel(
        tr("Select rows to show only those runs in the charts · right-click a run for more"), this);
    makeSecondaryText(hint);
    hint->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    bar->addWidget(m_filter, 2);
    bar->addWidget(showAll);
    bar->addWidget(hint, 3);
    layout->addLayout(bar);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("runsTable"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(-1, Qt::AscendingOrder); // registry order until a header is clicked
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    layout->addWidget(m_view, 1);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &RunsTablePage::applySelection);
    connect(showAll, &QPushButton::clicked, this, [this] {
        m_view->clearSelection();
        for (const auto& run : m_registry.runs()) m_registry.setVisible(run->id, true);
    });
    connect(m_view, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        const QModelIndex index = m_view->indexAt(pos);
        if (index.isValid())
            emit contextMenuRequested(runIdAtRow(index.row()), m_view->viewport()->mapToGlobal(pos));
    });
}

int RunsTablePage::runIdAtRow(int proxyRow) const {
    return m_proxy->index(proxyRow, 0).data(RunsTableModel::RunIdRole).toInt();
}

void RunsTablePage::applySelection() {
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty()) return; // a cleared selection leaves the charts as they are
    std::vector<int> chosen;
    for (const QModelIndex& index : rows) chosen.push_back(index.data(RunsTableModel::RunIdRole).toInt());
    for (const auto& run : m_registry.runs())
        m_registry.setVisible(run->id, std::find(chosen.begin(), chosen.end(), run->id) != chosen.end());
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    const int currentId = current.isValid() ? current.data(RunsTableModel::RunIdRole).toInt() : 0;
    m_registry.setSelected(
        std::find(chosen.begin(), chosen.end(), currentId) != chosen.end() ? currentId : chosen.front());
}

} // namespace attnscope::gui
