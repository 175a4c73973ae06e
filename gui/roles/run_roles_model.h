#pragma once
// The head roles of one run as the Head roles tab shows them (core/probe/head_roles.h): the role history
// of its snapshots, its ICL points and its phase change, recomputed when the run has new snapshots or
// steps. The phase change is the run's own event when its writer raised one (the engine), else the one
// the same rule finds in the recorded series (Python-recorded and imported runs).
#include "core/probe/head_roles.h"

#include <optional>

namespace attnscope::gui {

struct RunData;

class RunRolesModel {
public:
    // Recomputes when `run` (another run, or the same one grown) differs from what was last seen.
    // Returns whether anything changed.
    bool update(const RunData* run);

    int runId() const { return m_runId; }
    const RunRoles& roles() const { return m_roles; }
    std::optional<int> phaseStep() const { return m_phaseStep; }
    // Index into roles().history of the snapshot at or before `step`; -1 when none.
    int indexAt(int step) const;

private:
    int m_runId = 0;
    std::size_t m_snapshots = 0, m_steps = 0, m_events = 0;
    RunRoles m_roles;
    std::optional<int> m_phaseStep;
};

} // namespace attnscope::gui
