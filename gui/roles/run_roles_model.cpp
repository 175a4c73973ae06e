#include "gui/roles/run_roles_model.h"

#include "gui/session/run_data.h"

#include <algorithm>

namespace attnscope::gui {

bool RunRolesModel::update(const RunData* run) {
    if (!run) {
        const bool had = m_runId != 0;
        *this = RunRolesModel();
        return had;
    }
    if (run->id == m_runId && run->snapshots.size() == m_snapshots && run->steps.size() == m_steps &&
        run->events.size() == m_events)
        return false;
    m_runId = run->id;
    m_snapshots = run->snapshots.size(), m_steps = run->steps.size(), m_events = run->events.size();
    m_roles = analyseRoles(run->snapshots, run->steps);
    m_phaseStep.reset();
    for (const Event& e : run->events)
        if (e.kind == EventKind::PhaseChange) m_phaseStep = e.step;
    if (!m_phaseStep && m_roles.phaseChange) m_phaseStep = m_roles.phaseChange->step;
    return true;
}

int RunRolesModel::indexAt(int step) const {
    const std::vector<int>& steps = m_roles.history.steps;
    if (steps.empty()) return -1;
    const auto it = std::upper_bound(steps.begin(), steps.end(), step);
    return it == steps.begin() ? 0 : int(it - steps.begin()) - 1;
}

} // namespace attnscope::gui
