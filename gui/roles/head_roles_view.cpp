#include "gui/roles/head_roles_view.h"

#include "gui/roles/role_grid.h"
#include "gui/roles/role_timeline.h"
#include "gui/session/run_registry.h"
#include "gui/views/curve_chart.h"
#include "gui/widgets/chart_help.h"

#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <cmath>

namespace attnscope::gui {

HeadRolesView::HeadRolesView(RunRegistry& registry, ChartSettings& settings, QWidget* parent)
    : RunView(registry, settings, parent) {
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(4, 4, 4, 4);
    grid->setSpacing(6);
    m_gridTitle = new QLabel(this);
    m_grid = new RoleGrid(this);
    m_grid->setPlaceholder(tr("no snapshot with head scores in the selected run"));
    m_icl = new CurveChart("roles/icl", tr("In-context learning score (late − early token loss)"), &settings,
                           this);
    m_icl->setPlaceholder(tr("no evaluation with an ICL score yet"));
    m_induction =
        new CurveChart("roles/induction", tr("Largest induction score over heads"), &settings, this);
    m_induction->setPlaceholder(tr("no snapshot with head scores yet"));
    m_timeline = new RoleTimeline(this);
    m_timeline->setPlaceholder(tr("no snapshot with head scores in the selected run"));
    connect(m_timeline, &RoleTimeline::stepPicked, this, &HeadRolesView::stepPicked);

    auto* gridBox = new QVBoxLayout;
    gridBox->setSpacing(2);
    gridBox->addWidget(m_gridTitle);
    gridBox->addWidget(m_grid, 1);
    grid->addLayout(gridBox, 0, 0);
    grid->addWidget(m_icl, 0, 1);
    grid->addWidget(m_induction, 0, 2);
    grid->addWidget(new ChartCaption(QStringLiteral("head-roles"), this), 1, 0);
    grid->addWidget(new ChartCaption(QStringLiteral("icl-score"), this), 1, 1);
    grid->addWidget(new ChartCaption(QStringLiteral("induction-max"), this), 1, 2);
    grid->addWidget(m_timeline, 2, 0, 1, 3);
    grid->addWidget(new ChartCaption(QStringLiteral("role-timeline"), this), 3, 0, 1, 3);
    grid->setRowStretch(0, 3);
    grid->setRowStretch(2, 2);
    for (int c = 0; c < 3; ++c) grid->setColumnStretch(c, 1);
    connect(&registry, &RunRegistry::selectionChanged, this, [this](int) { refreshSelected(); });
    rebuild();
}

std::vector<CurveChart*> HeadRolesView::charts() const {
    return {m_icl, m_induction};
}

void HeadRolesView::addRun(const RunData& run) {
    RunSeries rs;
    SeriesStyle icl;
    icl.name = seriesName(run, tr("ICL score"));
    icl.color = run.color;
    icl.group = run.id;
    icl.smoothable = false;
    icl.points = true;
    rs.icl = m_icl->addSeries(icl);
    rs.induction = m_induction->addSeries(probeSeries(run, tr("max induction score"), run.color));
    m_runs[run.id] = rs;
}

void HeadRolesView::consumeNew(const RunData& run) {
    auto found = m_runs.find(run.id);
    if (found == m_runs.end()) return;
    RunSeries& rs = found->second;
    for (; rs.steps < run.steps.size(); ++rs.steps) {
        const StepRecord& r = run.steps[rs.steps];
        for (const auto& [name, value] : r.scalars)
            if (name == kIclScalar && std::isfinite(value)) m_icl->append(rs.icl, r.step, value);
    }
    for (; rs.snapshots < run.snapshots.size(); ++rs.snapshots) {
        const SnapshotPtr& s = run.snapshots[rs.snapshots];
        const std::vector<RoleScores> scores = roleScores(*s, s->induction.get());
        if (!scores.empty()) m_induction->append(rs.induction, s->step, maxInductionScore(scores));
    }
    markEvents(*m_icl, run, rs.events, {int(EventKind::PhaseChange)});
    markEvents(*m_induction, run, rs.events, {int(EventKind::PhaseChange)});
    rs.events = run.events.size();
}

void HeadRolesView::forgetRun(int runId) {
    m_runs.erase(runId);
}

void HeadRolesView::afterUpdate() {
    refreshSelected();
}

void HeadRolesView::showStep(int step) {
    m_step = step;
    refreshSelected();
}

void HeadRolesView::refreshSelected() {
    const RunData* run = registry().selected();
    const bool changed = m_model.update(run);
    const RoleHistory& h = m_model.roles().history;
    if (changed) m_timeline->setHistory(&h, m_model.phaseStep());
    const int k = m_model.indexAt(m_step.value_or(h.steps.empty() ? 0 : h.steps.back()));
    m_timeline->setCursorStep(k >= 0 ? std::optional<int>(h.steps[std::size_t(k)]) : std::nullopt);
    if (k < 0) {
        m_grid->setRoles(0, 0, {}, {}, 0);
        m_gridTitle->setText(run ? tr("Head roles — %1").arg(run->name) : tr("Head roles"));
        return;
    }
    m_grid->setRoles(h.layers, h.heads, h.roles[std::size_t(k)], h.scores[std::size_t(k)],
                     h.steps[std::size_t(k)]);
    const SnapshotPtr snap = run ? run->snapshotAt(h.steps[std::size_t(k)]) : nullptr;
    const QString probe =
        snap && snap->induction
            ? tr("token patterns on the induction probe (%1 tokens)").arg(snap->induction->length)
            : tr("token patterns on the text probe");
    m_gridTitle->setText(
        tr("<b>Head roles</b> — %1, step %2 · %3").arg(run->name).arg(h.steps[std::size_t(k)]).arg(probe));
}

} // namespace attnscope::gui
