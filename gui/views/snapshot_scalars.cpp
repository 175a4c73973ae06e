#include "gui/views/snapshot_scalars.h"

#include <cmath>
#include <cstdlib>

namespace attnscope::gui {

std::vector<std::string> scalarNamesWithPrefix(const ProbeSnapshot& snapshot, const std::string& prefix) {
    std::vector<std::string> names;
    for (const std::string& n : snapshot.scalarNames)
        if (n.compare(0, prefix.size(), prefix) == 0) names.push_back(n);
    return names;
}

double scalarValue(const ProbeSnapshot& snapshot, const std::string& name) {
    const std::size_t n = std::min(snapshot.scalarNames.size(), snapshot.scalarValues.size());
    for (std::size_t i = 0; i < n; ++i)
        if (snapshot.scalarNames[i] == name) return snapshot.scalarValues[i];
    return std::nan("");
}

int layerOfScalar(const std::string& name) {
    const std::size_t slash = name.find('/');
    if (slash == std::string::npos || slash + 2 > name.size() || name[slash + 1] != 'l') return -1;
    const char* digits = name.c_str() + slash + 2;
    char* end = nullptr;
    const long layer = std::strtol(digits, &end, 10);
    return end == digits ? -1 : int(layer);
}

} // namespace attnscope::gui
