#pragma once
// "Runs table" page: the runs table, sortable by any column and filtered by a text that matches any
// column (name, tags, mechanisms, status, …). Selecting rows shows exactly those runs in the charts
// (the current row becomes the selected run); "Show all" makes every run visible again. A right-click asks
// the window for the run's context menu.
#include <QWidget>

class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace attnscope::gui {

class RunRegistry;
class RunsTableModel;

class RunsTablePage : public QWidget {
    Q_OBJECT
public:
    explicit RunsTablePage(RunRegistry& registry, QWidget* parent = nullptr);

    QTableView* view() const { return m_view; }
    QLineEdit* filter() const { return m_filter; }
    RunsTableModel* model() const { return m_model; }
    QSortFilterProxyModel* proxy() const { return m_proxy; }
    int runIdAtRow(int proxyRow) const; // a row as shown (sorted, filtered)

signals:
    void contextMenuRequested(int runId, const QPoint& globalPos);

private:
    void applySelection();

    RunRegistry& m_registry;
    RunsTableModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_view;
    QLineEdit* m_filter;
};

} // namespace attnscope::gui
