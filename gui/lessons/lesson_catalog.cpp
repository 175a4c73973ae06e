#include "gui/lessons/lesson_catalog.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

namespace attnscope::gui {

namespace {
QString readResource(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(file.readAll());
}

std::optional<int> optionalInt(const QJsonObject& o, const char* key) {
    const QJsonValue v = o.value(QLatin1String(key));
    return v.isDouble() ? std::optional<int>(v.toInt()) : std::nullopt;
}
} // namespace

QString LessonRun::name() const {
    if (!label.isEmpty()) return label;
    return sample.isEmpty() ? preset : sample;
}

QString Lesson::markdown() const {
    const QString text = readResource(QStringLiteral(":/lessons/") + textFile);
    return text.isEmpty()
               ? QObject::tr("*The text of this lesson (%1) is missing from this build.*").arg(textFile)
               : text;
}

std::vector<Lesson> loadLessons(QString* error) {
    std::vector<Lesson> lessons;
    QJsonParseError parse{};
    const QJsonDocument doc =
        QJsonDocument::fromJson(readResource(QStringLiteral(":/lessons/lessons.json")).toUtf8(), &parse);
    if (doc.isNull()) {
        if (error) *error = QObject::tr("The lesson index cannot be read: %1").arg(parse.errorString());
        return lessons;
    }
    for (const QJsonValue& value : doc.object().value("lessons").toArray()) {
        const QJsonObject o = value.toObject();
        Lesson l;
        l.id = o.value("id").toString();
        l.title = o.value("title").toString();
        l.summary = o.value("summary").toString();
        l.textFile = o.value("text").toString();
        l.sweep = o.value("sweep").toString();
        for (const QJsonValue& r : o.value("runs").toArray()) {
            const QJsonObject ro = r.toObject();
            l.runs.push_back({ro.value("sample").toString(), ro.value("preset").toString(),
                              ro.value("json").toObject(), ro.value("label").toString()});
        }
        const QJsonObject v = o.value("view").toObject();
        l.view.tab = v.value("tab").toString();
        l.view.metric = v.value("metric").toString();
        l.view.select = v.value("select").toInt(0);
        l.view.layer = optionalInt(v, "layer");
        l.view.head = optionalInt(v, "head");
        l.view.pin = optionalInt(v, "pin");
        l.view.lastStep = v.value("step").toString() == QLatin1String("last") || !v.value("step").isDouble();
        l.view.step = optionalInt(v, "step");
        l.view.positions = v.value("positions").toBool(false);
        lessons.push_back(std::move(l));
    }
    return lessons;
}

QString welcomeMarkdown() {
    return readResource(QStringLiteral(":/lessons/welcome.md"));
}

} // namespace attnscope::gui
