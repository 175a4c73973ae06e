#include "core/util/number_text.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace attnscope {

namespace {

template <typename F> std::string shortest(F v) {
    if (std::isnan(v)) return {};
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc() ? std::string(buf, end) : std::string();
}

} // namespace

std::string exactNumber(double v) {
    return shortest(v);
}

std::string exactNumber(float v) {
    return shortest(v);
}

std::string roundedNumber(double v, int digits) {
    if (std::isnan(v)) return "—";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    return buf;
}

} // namespace attnscope
