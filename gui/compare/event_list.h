#pragma once
// "Events" dock: every event the selected run recorded (step, kind, layer/head, message), newest appended
// while it trains. Clicking an event moves the one step timeline there (stepPicked).
#include <QWidget>

class QTreeWidget;

namespace attnscope::gui {

class RunRegistry;

class EventList : public QWidget {
    Q_OBJECT
public:
    explicit EventList(RunRegistry& registry, QWidget* parent = nullptr);
    QTreeWidget* tree() const { return m_tree; }

signals:
    void stepPicked(int step);

private:
    void rebuild();
    void appendNew();

    RunRegistry& m_registry;
    QTreeWidget* m_tree;
    int m_runId = 0;
    std::size_t m_shown = 0; // events of m_runId already listed
};

} // namespace attnscope::gui
