#pragma once
// Collects the violated constraints of a settings struct, one sentence each naming the JSON key, so a user
// can fix all of them at once. Callers write comparisons so that NaN fails them.
#include <cstdio>
#include <string>
#include <vector>

namespace attnscope {

struct ConfigChecker {
    std::vector<std::string> errors;

    void require(bool ok, const std::string& key, const std::string& rule, double got) {
        if (!ok) errors.push_back(key + " must be " + rule + " (got " + shortNumber(got) + ").");
    }

    // The choices of an enumerated key as `"a", "b" or "c"`.
    static std::string choices(const std::vector<std::string>& names) {
        std::string s;
        for (std::size_t i = 0; i < names.size(); ++i)
            s += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + ("\"" + names[i] + "\"");
        return s;
    }

    static std::string shortNumber(double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", v);
        return buf;
    }
};

} // namespace attnscope
