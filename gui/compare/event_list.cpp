#include "gui/compare/event_list.h"

#include "gui/session/run_registry.h"

#include <QHeaderView>
#include <QRegularExpression>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace attnscope::gui {

namespace {
// "layer 0 head 2 entropy …" → "L0 H2"; empty for run-wide events (loss spike, divergence).
QString layerHead(const QString& message) {
    static const QRegularExpression re(QStringLiteral("layer\\s+(\\d+)(?:\\s+head\\s+(\\d+))?"),
                                       QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch m = re.match(message);
    if (!m.hasMatch()) return {};
    return m.captured(2).isEmpty() ? QStringLiteral("L%1").arg(m.captured(1))
                                   : QStringLiteral("L%1 H%2").arg(m.captured(1), m.captured(2));
}
} // namespace

EventList::EventList(RunRegistry& registry, QWidget* parent)
    : QWidget(parent), m_registry(registry), m_tree(new QTreeWidget(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    m_tree->setObjectName(QStringLiteral("eventList"));
    m_tree->setRootIsDecorated(false);
    m_tree->setHeaderLabels({tr("Step"), tr("Kind"), tr("Where"), tr("Message")});
    m_tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tree->header()->setStretchLastSection(true);
    m_tree->setToolTip(tr("Click an event to move the timeline there"));
    layout->addWidget(m_tree);
    connect(m_tree, &QTreeWidget::itemClicked, this,
            [this](QTreeWidgetItem* item) { emit stepPicked(item->data(0, Qt::UserRole).toInt()); });
    connect(m_tree, &QTreeWidget::itemActivated, this,
            [this](QTreeWidgetItem* item) { emit stepPicked(item->data(0, Qt::UserRole).toInt()); });
    connect(&registry, &RunRegistry::selectionChanged, this, &EventList::rebuild);
    connect(&registry, &RunRegistry::runRemoved, this, &EventList::rebuild);
    connect(&registry, &RunRegistry::dataAppended, this, [this](int id) {
        if (id == m_runId) appendNew();
    });
    rebuild();
}

void EventList::rebuild() {
    m_tree->clear();
    m_runId = m_registry.selectedId();
    m_shown = 0;
    appendNew();
}

void EventList::appendNew() {
    const RunData* run = m_registry.find(m_runId);
    if (!run) return;
    for (; m_shown < run->events.size(); ++m_shown) {
        const Event& e = run->events[m_shown];
        const QString message = QString::fromStdString(e.message);
        auto* item = new QTreeWidgetItem(
            {QString::number(e.step), QString::fromStdString(e.kindName()), layerHead(message), message});
        item->setData(0, Qt::UserRole, e.step);
        item->setToolTip(3, message);
        m_tree->addTopLevelItem(item);
    }
}

} // namespace attnscope::gui
