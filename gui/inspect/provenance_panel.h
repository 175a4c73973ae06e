#pragma once
// Provenance of the selected run (where a figure's numbers came from): mechanisms, seed, corpus name and
// hash, the AttnScope version and schema that wrote the file, when it was created, and the full config as
// pretty JSON — read from the run file's header, so it shows what was recorded, not the current defaults.
#include <QWidget>

class QTextBrowser;

namespace attnscope::gui {

class RunRegistry;

class ProvenancePanel : public QWidget {
    Q_OBJECT
public:
    explicit ProvenancePanel(RunRegistry& registry, QWidget* parent = nullptr);
    QString text() const; // plain text of what is shown (tests)

private:
    void refresh();

    RunRegistry& m_registry;
    QTextBrowser* m_view;
};

} // namespace attnscope::gui
