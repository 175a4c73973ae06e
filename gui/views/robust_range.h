#pragma once
// Outlier-robust axis extent ("Ignore outliers in chart scaling", TensorBoard's default): the value range
// between two quantiles, so one loss spike or a huge step-0 value does not flatten the rest of the curve.
#include <optional>
#include <utility>
#include <vector>

namespace attnscope::gui {

// Quantile range of the finite (and, for log axes, positive) values. Reorders `values`. Empty when no
// value qualifies. `lower`/`upper` in [0, 1]; (0, 1) gives plain min/max.
std::optional<std::pair<double, double>> quantileExtent(std::vector<double>& values, double lower,
                                                        double upper, bool positiveOnly);

// Adds a margin of `fraction` of the span on both sides (in log space for log axes) and widens a
// degenerate range so a constant series sits in the middle of the plot.
std::pair<double, double> paddedRange(std::pair<double, double> extent, double fraction, bool log);

} // namespace attnscope::gui
