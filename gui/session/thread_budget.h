#pragma once
// How many OpenMP threads a new run gets when its spec asks for "all cores" (threads = 0): the cores are
// split evenly between the runs that will be training at once, so two runs do not oversubscribe the CPU
// and make the GUI stutter (capped at the core count).
#include <algorithm>

namespace attnscope::gui {

inline int threadsForRun(int requested, int runningBefore, int cores) {
    if (requested > 0) return requested;
    return std::max(1, std::max(1, cores) / (std::max(0, runningBefore) + 1));
}

} // namespace attnscope::gui
