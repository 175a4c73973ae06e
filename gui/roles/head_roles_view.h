#pragma once
// "Head roles" tab: what each head does and when it started. For the selected run, layers × heads coloured
// by role at the timeline step (scores on hover) and the role-over-time chart (heads × steps) with the
// phase change; for every visible run, the in-context-learning score at each evaluation and the largest
// induction score at each snapshot, the phase change marked on both. Roles are computed from the recorded
// scores (core/probe/head_roles.h), so Python-recorded and imported runs have them too.
#include "gui/roles/run_roles_model.h"
#include "gui/views/run_view.h"

#include <map>

class QLabel;

namespace attnscope::gui {

class RoleGrid;
class RoleTimeline;

class HeadRolesView : public RunView {
    Q_OBJECT
public:
    HeadRolesView(RunRegistry& registry, ChartSettings& settings, QWidget* parent = nullptr);
    std::vector<CurveChart*> charts() const override;

    void showStep(int step); // the timeline's step
    RoleGrid* grid() const { return m_grid; }
    RoleTimeline* timeline() const { return m_timeline; }
    CurveChart* iclChart() const { return m_icl; }
    CurveChart* inductionChart() const { return m_induction; }
    const RunRolesModel& model() const { return m_model; }

signals:
    void stepPicked(int step); // a click on the role-over-time chart

protected:
    void addRun(const RunData& run) override;
    void consumeNew(const RunData& run) override;
    void forgetRun(int runId) override;
    void afterUpdate() override;

private:
    struct RunSeries {
        int icl = 0, induction = 0;
        std::size_t steps = 0, snapshots = 0, events = 0;
    };
    void refreshSelected();

    RoleGrid* m_grid;
    RoleTimeline* m_timeline;
    QLabel* m_gridTitle;
    CurveChart* m_icl;
    CurveChart* m_induction;
    std::map<int, RunSeries> m_runs;
    RunRolesModel m_model;
    std::optional<int> m_step; // the timeline's; latest snapshot when unset
};

} // namespace attnscope::gui
