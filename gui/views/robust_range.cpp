#include "gui/views/robust_range.h"

#include <algorithm>
#include <cmath>

namespace attnscope::gui {

namespace {
// Linear interpolation between order statistics, like numpy.quantile's default.
double quantileOf(std::vector<double>& v, double q) {
    const double pos = q * double(v.size() - 1);
    const std::size_t lo = std::size_t(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(lo), v.end());
    const double a = v[lo];
    if (hi == lo) return a;
    const double b = *std::min_element(v.begin() + std::ptrdiff_t(lo) + 1, v.end());
    return a + (b - a) * (pos - double(lo));
}
} // namespace

std::optional<std::pair<double, double>> quantileExtent(std::vector<double>& values, double lower,
                                                        double upper, bool positiveOnly) {
    auto bad = [positiveOnly](double v) { return !std::isfinite(v) || (positiveOnly && v <= 0); };
    values.erase(std::remove_if(values.begin(), values.end(), bad), values.end());
    if (values.empty()) return std::nullopt;
    lower = std::clamp(lower, 0.0, 1.0);
    upper = std::clamp(upper, lower, 1.0);
    const double lo = quantileOf(values, lower);
    const double hi = quantileOf(values, upper);
    return std::make_pair(lo, hi);
}

std::pair<double, double> paddedRange(std::pair<double, double> extent, double fraction, bool log) {
    auto [lo, hi] = extent;
    if (log) {
        double a = std::log10(lo), b = std::log10(hi);
        if (b - a < 1e-9) {
            a -= 0.5;
            b += 0.5;
        }
        const double pad = (b - a) * fraction;
        return {std::pow(10.0, a - pad), std::pow(10.0, b + pad)};
    }
    if (hi - lo < 1e-12 * std::max(1.0, std::abs(hi))) {
        if (std::abs(hi) < 1e-12) return {-0.05, 1.0}; // all zero: a rate or share that has not risen yet
        const double half = std::abs(hi) * 0.1;
        lo -= half;
        hi += half;
    }
    const double pad = (hi - lo) * fraction;
    return {lo - pad, hi + pad};
}

} // namespace attnscope::gui
