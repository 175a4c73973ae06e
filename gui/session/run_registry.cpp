#include "gui/session/run_registry.h"

#include "figures/palette.h"
#include "gui/session/snapshot_backfill.h"
#include "gui/session/snapshot_map_cache.h"

#include <QFileInfo>
#include <algorithm>

namespace attnscope::gui {

RunRegistry::RunRegistry(QObject* parent) : QObject(parent), m_mapCache(new SnapshotMapCache(this)) {}
RunRegistry::~RunRegistry() = default;

int RunRegistry::add(RunData run) {
    run.id = m_nextId++;
    run.name = uniqueName(run.name);
    std::vector<QColor> used;
    for (const auto& r : m_runs) used.push_back(r->color);
    if (!run.color.isValid()) run.color = rememberedColor(run.filePath);
    if (!run.color.isValid() || std::find(used.begin(), used.end(), run.color) != used.end())
        run.color = nextRunColor(used);
    rememberColor(run.filePath, run.color);
    if (!run.tokenizer) run.tokenizer = std::make_shared<Tokenizer>();
    const int id = run.id;
    std::vector<int> pending = std::move(run.pendingSnapshots);
    run.pendingSnapshots.clear();
    emit runAboutToBeAdded(id);
    m_runs.push_back(std::make_unique<RunData>(std::move(run)));
    emit runAdded(id);
    setSelected(id);
    if (!pending.empty())
        m_backfills[id] = std::make_unique<SnapshotBackfill>(*this, id, m_runs.back()->filePath.toStdString(),
                                                             std::move(pending));
    return id;
}

bool RunRegistry::isDecoding(int id) const {
    auto it = m_backfills.find(id);
    return it != m_backfills.end() && !it->second->isDone();
}

void RunRegistry::remove(int id) {
    const int index = indexOf(id);
    if (index < 0) return;
    emit runAboutToBeRemoved(id);
    m_backfills.erase(id); // stops and joins its decoder first
    m_runs.erase(m_runs.begin() + index);
    emit runRemoved(id);
    if (m_selected == id) setSelected(m_runs.empty() ? 0 : m_runs.back()->id);
}

RunData* RunRegistry::find(int id) {
    const int index = indexOf(id);
    return index < 0 ? nullptr : m_runs[std::size_t(index)].get();
}

const RunData* RunRegistry::find(int id) const {
    const int index = indexOf(id);
    return index < 0 ? nullptr : m_runs[std::size_t(index)].get();
}

int RunRegistry::indexOf(int id) const {
    auto it = std::find_if(m_runs.begin(), m_runs.end(), [id](const auto& r) { return r->id == id; });
    return it == m_runs.end() ? -1 : int(it - m_runs.begin());
}

void RunRegistry::setSelected(int id) {
    if (id != 0 && indexOf(id) < 0) return;
    if (m_selected == id) return;
    m_selected = id;
    emit selectionChanged(id);
}

QString RunRegistry::uniqueName(const QString& name, int exceptId) const {
    auto taken = [&](const QString& n) {
        return std::any_of(m_runs.begin(), m_runs.end(),
                           [&](const auto& r) { return r->id != exceptId && r->name == n; });
    };
    if (!taken(name)) return name;
    for (int i = 2;; ++i) {
        const QString candidate = QStringLiteral("%1 #%2").arg(name).arg(i);
        if (!taken(candidate)) return candidate;
    }
}

void RunRegistry::rename(int id, const QString& name) {
    RunData* run = find(id);
    const QString trimmed = name.trimmed();
    if (!run || trimmed.isEmpty()) return;
    const QString unique = uniqueName(trimmed, id);
    if (unique == run->name) return;
    run->name = unique;
    emit appearanceChanged(id);
}

void RunRegistry::setTags(int id, const QStringList& tags) {
    RunData* run = find(id);
    if (!run || run->tags == tags) return;
    run->tags = tags;
    emit appearanceChanged(id);
}

void RunRegistry::setColor(int id, const QColor& c) {
    RunData* run = find(id);
    if (!run || !c.isValid() || run->color == c) return;
    run->color = c;
    rememberColor(run->filePath, c);
    emit appearanceChanged(id);
}

namespace {
QString colorKey(const QString& filePath) {
    return filePath.isEmpty() ? QString() : QFileInfo(filePath).absoluteFilePath();
}
} // namespace

QColor RunRegistry::rememberedColor(const QString& filePath) const {
    const auto it = m_rememberedColors.find(colorKey(filePath));
    return it == m_rememberedColors.end() ? QColor() : it->second;
}

void RunRegistry::rememberColor(const QString& filePath, const QColor& c) {
    if (!filePath.isEmpty() && c.isValid()) m_rememberedColors[colorKey(filePath)] = c;
}

void RunRegistry::setVisible(int id, bool visible) {
    RunData* run = find(id);
    if (!run || run->visible == visible) return;
    run->visible = visible;
    emit appearanceChanged(id);
}

void RunRegistry::setPinnedStep(int id, std::optional<int> step) {
    RunData* run = find(id);
    if (!run || run->pinnedStep == step) return;
    run->pinnedStep = step;
    emit pinChanged(id);
}

} // namespace attnscope::gui
