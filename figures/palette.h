#pragma once
// The colours of the app and of its figures, in one place, so a run or a head has the same colour on screen
// and in an exported figure. Run colours: Okabe–Ito based, so overlaid runs stay distinguishable for
// colour-blind users (tensorflow/tensorboard#449, "palette too similar"); yellow is swapped for brown because
// it vanishes on white.
#include <QColor>
#include <vector>

namespace attnscope {

const std::vector<QColor>& runPalette();         // Okabe–Ito: the first 8 runs
const std::vector<QColor>& extendedRunPalette(); // Tol "muted": the next 9
// First colour not in `used`: Okabe–Ito, then Tol muted, then generated hues; never one of `used`.
QColor nextRunColor(const std::vector<QColor>& used);
// Shade `index` of `count` of a base colour, for several lines of one run (heads, layers, matrices):
// same hue, lightness spread so neighbouring lines differ while the run stays recognisable.
QColor shadeOf(const QColor& base, int index, int count);
// Distinct categorical colour for line `index` when a single run is shown (heads read better by hue): the
// per-head lines of the app's views and of the exported figures, and a figure's train/validation pair.
QColor categoricalColor(int index);

} // namespace attnscope
