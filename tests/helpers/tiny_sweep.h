#pragma once
// The base settings of seconds-sized sweep cells (1 layer × 2 heads, d 16, context 16, the copy task), shared
// by the sweep tests of the core (tst_sweep) and of the Sweeps page (tst_gui_sweeps).
#include "core/sweep/sweep_spec.h"

#include <nlohmann/json.hpp>
#include <vector>

namespace attnscope::test {

// RunSpec JSON for `steps` steps, evaluated, recorded and checkpointed every 10.
nlohmann::json tinySweepBase(int steps = 30);

// "tiny": variants base / qk (QK-norm) × the LRs `lrs` × seeds 1, 2 of such cells (axes variant, lr, seed).
SweepSpec tinySweepSpec(int steps, const std::vector<double>& lrs);

} // namespace attnscope::test
