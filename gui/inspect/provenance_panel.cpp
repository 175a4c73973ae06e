#include "gui/inspect/provenance_panel.h"

#include "core/store/run_reader.h"
#include "core/train/run_spec.h"
#include "gui/session/run_registry.h"

#include <QFileInfo>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <exception>
#include <nlohmann/json.hpp>

namespace attnscope::gui {

namespace {
// "root at step 200 → parent at step 400 → this run" (each forked from the one before at that step): follows
// meta parent_run/parent_step up the chain of forks (at most 16 links, in case files point at each other).
QString lineageOf(const RunReader& reader) {
    QStringList chain;
    std::string parent = reader.meta("parent_run"), step = reader.meta("parent_step");
    for (int depth = 0; !parent.empty() && depth < 16; ++depth) {
        const QString name = QFileInfo(QString::fromStdString(parent)).completeBaseName();
        chain.prepend(QObject::tr("%1 at step %2").arg(name, QString::fromStdString(step)));
        try {
            const RunReader up(parent);
            parent = up.meta("parent_run");
            step = up.meta("parent_step");
        } catch (const std::exception&) {
            chain.prepend(QObject::tr("…"));
            break;
        }
    }
    if (chain.isEmpty()) return {};
    chain << QObject::tr("this run");
    return chain.join(QStringLiteral(" → "));
}
} // namespace

ProvenancePanel::ProvenancePanel(RunRegistry& registry, QWidget* parent)
    : QWidget(parent), m_registry(registry), m_view(new QTextBrowser(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    connect(&registry, &RunRegistry::selectionChanged, this, &ProvenancePanel::refresh);
    connect(&registry, &RunRegistry::runAdded, this, &ProvenancePanel::refresh);
    refresh();
}

QString ProvenancePanel::text() const {
    return m_view->toPlainText();
}

void ProvenancePanel::refresh() {
    const RunData* run = m_registry.selected();
    if (!run) return m_view->setHtml(tr("<i>No run selected.</i>"));
    const auto row = [](const QString& k, const QString& v) {
        return QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(k, v.toHtmlEscaped());
    };
    QString html = QStringLiteral("<h3>%1</h3><table cellspacing=4>").arg(run->name.toHtmlEscaped());
    QStringList badges;
    for (const std::string& b : run->badges()) badges << QString::fromStdString(b);
    html += row(tr("Mechanisms"), badges.isEmpty() ? tr("baseline") : badges.join(QStringLiteral(", ")));
    const std::optional<std::uint64_t> seed = run->seed();
    html += row(tr("Seed"), seed ? QString::number(*seed) : QString::fromUtf8(kUnknownValue));
    // A run recorded outside the engine shows what its recorder found on the model, "—" where nothing was.
    if (run->external)
        for (const auto& [key, value] : run->model().displayRows())
            html +=
                row(QString::fromStdString(key).replace(0, 1, QString::fromStdString(key).left(1).toUpper()),
                    QString::fromStdString(value));
    std::string config = toJson(run->spec).dump(2);
    if (!run->filePath.isEmpty()) {
        html += row(tr("File"), run->filePath);
        try {
            const RunReader reader(run->filePath.toStdString());
            const RunHeader& h = reader.header();
            html += row(tr("Corpus"), QString::fromStdString(h.corpusName));
            html += row(tr("Corpus hash"), QString::fromStdString(h.corpusHash));
            html += row(tr("Written by"),
                        QStringLiteral("AttnScope %1").arg(QString::fromStdString(h.appVersion)));
            html += row(tr("Created"), QString::fromStdString(h.createdAt));
            html += row(tr("Schema version"), QString::number(reader.schemaVersion()));
            if (!h.description.empty()) html += row(tr("Description"), QString::fromStdString(h.description));
            const QString lineage = lineageOf(reader);
            if (!lineage.isEmpty()) html += row(tr("Lineage"), lineage);
            // The header's own JSON is what was recorded; prefer it over the parsed (defaults-filled) spec.
            config = nlohmann::json::parse(h.specJson).dump(2);
        } catch (const std::exception& e) {
            html += row(tr("File"), QString::fromStdString(e.what()));
        }
    } else {
        html += row(tr("File"), tr("not recorded (live run without a file)"));
    }
    html += QStringLiteral("</table><h4>%1</h4><pre>%2</pre>")
                .arg(tr("Configuration"), QString::fromStdString(config).toHtmlEscaped());
    m_view->setHtml(html);
}

} // namespace attnscope::gui
