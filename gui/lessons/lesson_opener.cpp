#include "gui/lessons/lesson_opener.h"

#include "core/train/presets.h"
#include "core/util/error.h"
#include "gui/attention/attention_grid_view.h"
#include "gui/attention/attention_panel.h"
#include "gui/session/run_registry.h"
#include "gui/session/sample_runs.h"
#include "gui/session/session_manager.h"
#include "gui/sweeps/sweeps_controller.h"
#include "gui/views/entropy_view.h"
#include "gui/views/extrapolation_view.h"
#include "gui/widgets/page_switcher.h"
#include "gui/widgets/step_timeline.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <nlohmann/json.hpp>

namespace attnscope::gui {

LessonOpener::LessonOpener(const LessonStage& stage, QObject* parent) : QObject(parent), m_stage(stage) {
    RunRegistry& reg = m_stage.registry;
    connect(&reg, &RunRegistry::dataAppended, this, [this](int id) {
        if (std::find(m_live.begin(), m_live.end(), id) == m_live.end()) return;
        updateProgress();
        // A live run has no snapshot when the lesson opens: its head is enlarged once the first one exists.
        const RunData* run = m_stage.registry.find(id);
        if (m_headPending && id == m_stage.registry.selectedId() && run && !run->snapshots.empty()) {
            m_headPending = false;
            selectHead();
        }
    });
    connect(&reg, &RunRegistry::statusChanged, this, [this](int id) {
        if (std::find(m_live.begin(), m_live.end(), id) == m_live.end()) return;
        updateProgress();
        if (!training()) arrange(); // the finished runs now have every snapshot
    });
}

QString LessonOpener::samplePath(const QString& sample) {
    for (const QString& path : sampleRunFiles())
        if (QFileInfo(path).completeBaseName() == sample) return path;
    return {};
}

bool LessonOpener::training() const {
    for (int id : m_live)
        if (const RunData* run = m_stage.registry.find(id); run && run->isActive()) return true;
    return false;
}

int LessonOpener::openRun(const LessonRun& run, QString* error) {
    RunRegistry& reg = m_stage.registry;
    const QString path = run.sample.isEmpty() ? QString() : samplePath(run.sample);
    if (!path.isEmpty()) {
        const QString canonical = QFileInfo(path).canonicalFilePath();
        for (const auto& r : reg.runs())
            if (!r->live && QFileInfo(r->filePath).canonicalFilePath() == canonical) return r->id;
        return m_stage.openRunFile(path, error);
    }
    // No sample: train it here. A live run of this name opened by an earlier click is reused.
    for (const auto& r : reg.runs())
        if (r->live && r->name == run.name()) return r->id;
    const Preset* preset = findPreset(run.preset.toStdString());
    if (!preset) {
        if (error)
            *error = run.sample.isEmpty()
                         ? tr("This build has no preset “%1”.").arg(run.preset)
                         : tr("The sample run “%1” is not installed and this build has no preset “%2” to "
                              "train it.")
                               .arg(run.sample, run.preset);
        return 0;
    }
    RunSpec spec = preset->spec;
    try {
        if (!run.json.isEmpty())
            applyJson(nlohmann::json::parse(QJsonDocument(run.json).toJson().toStdString()), spec);
    } catch (const std::exception& e) {
        if (error) *error = tr("Lesson settings for “%1”: %2").arg(run.name(), QString::fromUtf8(e.what()));
        return 0;
    }
    spec.name = run.name().toStdString();
    const int id = m_stage.sessions.start(spec, error);
    if (id) m_live.push_back(id);
    return id;
}

bool LessonOpener::open(const Lesson& lesson, QString* error) {
    m_lesson = lesson;
    m_ids.assign(lesson.runs.size(), 0);
    m_live.clear();
    QStringList problems;
    for (std::size_t i = 0; i < lesson.runs.size(); ++i) {
        QString problem;
        m_ids[i] = openRun(lesson.runs[i], &problem);
        if (!m_ids[i]) problems << problem;
    }
    bool sweepShown = false;
    if (!lesson.sweep.isEmpty() && m_stage.sweeps) {
        const QString folder = SweepsController::sampleSweep(lesson.sweep);
        if (folder.isEmpty())
            problems
                << tr("The sample sweep “%1” is not installed (attnscope-cli sweep --preset %1 makes it).")
                       .arg(lesson.sweep);
        else
            m_stage.sweeps->showFolder(folder), sweepShown = true;
    }
    if (error) *error = problems.join(QLatin1Char('\n'));
    const bool any = std::any_of(m_ids.begin(), m_ids.end(), [](int id) { return id != 0; }) || sweepShown;
    if (any) arrange();
    updateProgress();
    return any;
}

void LessonOpener::arrange() {
    RunRegistry& reg = m_stage.registry;
    const LessonView& v = m_lesson.view;
    int selected = v.select >= 0 && v.select < int(m_ids.size()) ? m_ids[v.select] : 0;
    if (!selected || !reg.find(selected))
        for (int id : m_ids)
            if (id && reg.find(id)) {
                selected = id;
                break;
            }
    if (!selected) return;
    // The lesson's runs visible, the others hidden (still open: their checkbox in the Runs panel brings them
    // back), so that every chart shows just the comparison the lesson is about.
    for (const auto& r : reg.runs())
        reg.setVisible(r->id, std::find(m_ids.begin(), m_ids.end(), r->id) != m_ids.end());
    reg.setSelected(selected);
    m_stage.pages.show(v.tab);
    if (!v.metric.isEmpty())
        m_stage.entropy.setMetric(v.metric == QLatin1String("normalized") ? EntropyView::Metric::Normalized
                                                                          : EntropyView::Metric::Entropy);
    const RunData* run = reg.find(selected);
    if (v.pin && !run->snapshots.empty()) {
        const SnapshotPtr at = run->snapshotAt(*v.pin);
        reg.setPinnedStep(selected, at ? std::optional<int>(at->step) : std::nullopt);
    }
    if (v.lastStep || !v.step)
        m_stage.timeline.last();
    else
        m_stage.timeline.setStep(*v.step);
    if (v.positions)
        if (auto* view =
                qobject_cast<ExtrapolationView*>(m_stage.pages.page(QStringLiteral("extrapolation"))))
            view->computePositionLoss();
    m_headPending = v.layer && run->snapshots.empty();
    selectHead();
    emit arranged();
}

void LessonOpener::selectHead() {
    const LessonView& v = m_lesson.view;
    if (v.layer) m_stage.attention.grid()->selectHead(*v.layer, v.head.value_or(0));
}

void LessonOpener::updateProgress() {
    if (m_live.empty()) return;
    long done = 0, total = 0;
    int active = 0;
    for (int id : m_live) {
        const RunData* run = m_stage.registry.find(id);
        if (!run) continue;
        total += run->totalSteps();
        done += run->isActive() ? run->lastStep() : run->totalSteps();
        active += run->isActive();
    }
    const int percent = total > 0 ? int(100 * done / total) : 100;
    emit progress(active ? std::min(percent, 99) : 100,
                  active ? tr("Training %n run(s) for this lesson: %1%", "", active).arg(percent)
                         : tr("The lesson's runs have finished training."));
}

} // namespace attnscope::gui
