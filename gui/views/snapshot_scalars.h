#pragma once
// Reading the named model-level scalars of a ProbeSnapshot ("lambda1/l2", "sigma/l0.qkv", "gamma/…").
#include "core/probe/snapshot.h"

#include <string>
#include <vector>

namespace attnscope::gui {

// Names starting with `prefix` (e.g. "sigma/"), in the snapshot's order.
std::vector<std::string> scalarNamesWithPrefix(const ProbeSnapshot& snapshot, const std::string& prefix);
// Value of `name`, NaN when the snapshot does not have it.
double scalarValue(const ProbeSnapshot& snapshot, const std::string& name);
// "l3" → 3 for names like "lambda1/l3"; -1 when the suffix is not a layer.
int layerOfScalar(const std::string& name);

} // namespace attnscope::gui
