#include "gui/app/workspace.h"

#include "gui/session/run_registry.h"

#include <QFileInfo>
#include <QObject>
#include <QSettings>
#include <QTabWidget>

namespace attnscope::gui {

std::vector<WorkspaceRun> Workspace::capture(const RunRegistry& registry) {
    std::vector<WorkspaceRun> runs;
    for (const auto& run : registry.runs()) {
        if (run->filePath.isEmpty()) continue;
        runs.push_back({QFileInfo(run->filePath).absoluteFilePath(), run->name, run->tags, run->color,
                        run->visible, run->id == registry.selectedId()});
    }
    return runs;
}

void Workspace::save(const RunRegistry& registry, const QTabWidget* pages) {
    QVariantList list;
    for (const WorkspaceRun& r : capture(registry))
        list << QVariantMap{{QStringLiteral("path"), r.path},       {QStringLiteral("name"), r.name},
                            {QStringLiteral("tags"), r.tags},       {QStringLiteral("color"), r.color.name()},
                            {QStringLiteral("visible"), r.visible}, {QStringLiteral("selected"), r.selected}};
    QVariantMap colors;
    for (const auto& [path, color] : registry.rememberedColors()) colors.insert(path, color.name());
    QSettings settings;
    settings.setValue(QStringLiteral("workspace/runs"), list);
    settings.setValue(QStringLiteral("workspace/colors"), colors);
    if (pages) settings.setValue(QStringLiteral("workspace/page"), pages->currentIndex());
}

std::vector<WorkspaceRun> Workspace::saved() {
    std::vector<WorkspaceRun> runs;
    for (const QVariant& v : QSettings().value(QStringLiteral("workspace/runs")).toList()) {
        const QVariantMap m = v.toMap();
        WorkspaceRun r;
        r.path = m.value(QStringLiteral("path")).toString();
        r.name = m.value(QStringLiteral("name")).toString();
        r.tags = m.value(QStringLiteral("tags")).toStringList();
        r.color = QColor(m.value(QStringLiteral("color")).toString());
        r.visible = m.value(QStringLiteral("visible"), true).toBool();
        r.selected = m.value(QStringLiteral("selected")).toBool();
        if (!r.path.isEmpty()) runs.push_back(r);
    }
    return runs;
}

void Workspace::restoreColors(RunRegistry& registry) {
    const QVariantMap colors = QSettings().value(QStringLiteral("workspace/colors")).toMap();
    for (auto it = colors.constBegin(); it != colors.constEnd(); ++it)
        registry.rememberColor(it.key(), QColor(it.value().toString()));
}

int Workspace::savedPage() {
    return QSettings().value(QStringLiteral("workspace/page"), 0).toInt();
}

QStringList Workspace::apply(RunRegistry& registry, const std::vector<std::pair<WorkspaceRun, int>>& opened) {
    QStringList problems;
    int selected = 0;
    for (const auto& [saved, id] : opened) {
        if (!id) {
            problems << QObject::tr("Could not reopen %1").arg(saved.path);
            continue;
        }
        if (saved.color.isValid()) registry.setColor(id, saved.color);
        if (!saved.name.isEmpty()) registry.rename(id, saved.name);
        registry.setTags(id, saved.tags);
        registry.setVisible(id, saved.visible);
        if (saved.selected) selected = id;
    }
    if (selected) registry.setSelected(selected);
    return problems;
}

} // namespace attnscope::gui
