#pragma once
// The colours of the app and of its figures, in one place, so a run or a head has the same colour on screen
// and in an exported figure.
//
// Run colours, one rule everywhere (docs/inspect.md "Colours"): the run colour sequence is Okabe–Ito (yellow
// swapped for brown, black for grey: they vanish on white or read as text), then Paul Tol's "muted" set, then
// generated hues; both sets are colour-blind safe (tensorflow/tensorboard#449, "palette too similar").
//  - A run that enters a set of runs (the app's workspace, a CLI figure's list of runs, in the order given)
//    takes the first colour of the sequence that no run of the set holds (nextRunColor); the app keeps it for
//    the life of the workspace, also when the run is closed and opened again.
//  - Variant v of a sweep takes colour v of the sequence (sweepVariantColor), on the Sweeps page, in the
//    exported LR-sensitivity figure and for the variant's runs when they are opened from the Sweeps page.
#include <QColor>
#include <vector>

namespace attnscope {

// The eight colours of Okabe & Ito (2008), "Color Universal Design": the one list of them in the code.
enum class OkabeIto { Black, Orange, SkyBlue, BluishGreen, Yellow, Blue, Vermillion, ReddishPurple };
QColor okabeIto(OkabeIto colour);

const std::vector<QColor>& runPalette(); // the first 8 colours of the run sequence (Okabe–Ito based)
const std::vector<QColor>& extendedRunPalette(); // Tol "muted": the next 9
// Colour `slot` (0, 1, …) of the run sequence: runPalette(), extendedRunPalette(), then generated hues.
QColor runColorSlot(int slot);
// First colour of the run sequence not in `used`; never one of `used`.
QColor nextRunColor(const std::vector<QColor>& used);
// The colours of `count` runs entering an empty set in order: slots 0 … count − 1 (a CLI figure's runs).
std::vector<QColor> runColors(int count);
// Variant `variant` (0-based, in grid order) of a sweep.
QColor sweepVariantColor(int variant);
// Shade `index` of `count` of a base colour, for several lines of one run (heads, layers, matrices):
// same hue, lightness spread so neighbouring lines differ while the run stays recognisable.
QColor shadeOf(const QColor& base, int index, int count);
// Distinct categorical colour for line `index` when a single run is shown (heads read better by hue): the
// per-head lines of the app's views and of the exported figures, and a figure's train/validation pair.
QColor categoricalColor(int index);

} // namespace attnscope
