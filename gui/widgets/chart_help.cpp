#include "gui/widgets/chart_help.h"

#include "gui/widgets/secondary_text.h"

#include <QBoxLayout>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <map>

namespace attnscope::gui {

namespace {
const std::map<QString, ChartHelp>& allHelp() {
    static const std::map<QString, ChartHelp> help = [] {
        std::map<QString, ChartHelp> out;
        QFile file(QStringLiteral(":/lessons/charts.json"));
        if (!file.open(QIODevice::ReadOnly)) return out; // a build without the resources: no captions
        const QJsonObject root = QJsonDocument::fromJson(file.readAll()).object();
        for (auto it = root.begin(); it != root.end(); ++it) {
            const QJsonObject o = it.value().toObject();
            out[it.key()] = {o.value("what").toString(), o.value("formula").toString(),
                             o.value("unit").toString()};
        }
        return out;
    }();
    return help;
}
} // namespace

QString ChartHelp::toolTip() const {
    return QStringLiteral(
               "<p style='white-space:pre-wrap'>%1</p><p><b>Formula:</b> %2<br><b>Units:</b> %3</p>")
        .arg(what.toHtmlEscaped(), formula.toHtmlEscaped(), unit.toHtmlEscaped());
}

ChartHelp chartHelp(const QString& key) {
    const auto& help = allHelp();
    const auto it = help.find(key);
    return it == help.end() ? ChartHelp{} : it->second;
}

ChartCaption::ChartCaption(const QString& key, QWidget* parent, const QString& subject)
    : QLabel(parent), m_subject(subject) {
    setWordWrap(true);
    setTextFormat(Qt::RichText);
    setContentsMargins(4, 1, 4, 1);
    makeSecondaryText(this);
    setKey(key);
}

void ChartCaption::setKey(const QString& key) {
    m_key = key;
    const ChartHelp help = chartHelp(key);
    setObjectName(QStringLiteral("caption-") + key);
    const QString subject =
        m_subject.isEmpty() ? QString() : QStringLiteral("<i>%1:</i> ").arg(m_subject.toHtmlEscaped());
    setText(
        help.isEmpty()
            ? QString()
            : tr("<b>What am I seeing?</b> %1%2 <u>[formula]</u>").arg(subject, help.what.toHtmlEscaped()));
    setToolTip(help.isEmpty() ? QString() : help.toolTip());
    setVisible(!help.isEmpty());
}

void addCaptions(QBoxLayout* layout, QWidget* parent,
                 std::initializer_list<std::pair<const char*, QString>> keysAndSubjects) {
    for (const auto& [key, subject] : keysAndSubjects)
        layout->addWidget(new ChartCaption(QString::fromLatin1(key), parent, subject));
}

} // namespace attnscope::gui
