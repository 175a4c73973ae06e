#pragma once
// Numbers as text, one definition each: exact (files that are read back: CSV side-cars, sweep summaries,
// bit-identity checks) and rounded (for people).
#include <string>

namespace attnscope {

// The shortest text that reads back to the same bits (std::to_chars); "" for NaN, "inf"/"-inf" for
// infinities.
std::string exactNumber(double v);
std::string exactNumber(float v);
// `digits` significant digits (printf %g); "—" for NaN.
std::string roundedNumber(double v, int digits = 4);

} // namespace attnscope
