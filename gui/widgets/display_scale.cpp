#include "gui/widgets/display_scale.h"

#include <algorithm>

namespace attnscope::gui {

namespace {
double g_lineScale = 1.0; // GUI thread only
} // namespace

double lineScale() {
    return g_lineScale;
}

void setLineScale(double scale) {
    g_lineScale = std::clamp(scale, 0.5, 4.0);
}

} // namespace attnscope::gui
