#include "cli/args.h"

#include "core/util/utf8.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace attnscope::cli {

namespace {

const OptionSpec* findOption(const CommandSpec& spec, const std::string& name) {
    for (const OptionSpec& o : spec.options)
        if (o.name == name) return &o;
    return nullptr;
}

std::string shortNumber(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string seeHelp(const CommandSpec& spec) {
    return " (see attnscope-cli " + spec.name + " --help)";
}

} // namespace

bool parseInt64(const std::string& text, std::int64_t& out) {
    if (text.empty()) return false;
    const char* begin = text.data() + (text[0] == '+' ? 1 : 0);
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(begin, end, out);
    return ec == std::errc() && ptr == end;
}

bool parseDouble(const std::string& text, double& out) {
    // Decimal notation only: strtod alone would also read "0x10" (as 16), "infinity" and leading spaces.
    if (text.empty() || text.find_first_not_of("0123456789+-.eE") != std::string::npos) return false;
    // strtod (not from_chars) so that "1e-3" and ".5" read as users type them; "nan" and "inf" are refused.
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(v)) return false;
    out = v;
    return true;
}

Args Args::parse(const CommandSpec& spec, const std::vector<std::string>& argv) {
    Args args;
    args.m_command = spec.name;
    bool optionsEnded = false;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (optionsEnded || a.size() < 2 || a[0] != '-' || (a[1] != '-' && a != "-h")) {
            // A lone "-" and negative numbers as positionals are plain arguments.
            args.m_positionals.push_back(a);
            continue;
        }
        if (a == "--") {
            optionsEnded = true;
            continue;
        }
        if (a == "--help" || a == "-h") {
            args.m_help = true;
            continue;
        }
        std::string name = a.substr(2), value;
        bool inlineValue = false;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            inlineValue = true;
        }
        const OptionSpec* option = findOption(spec, name);
        if (!option)
            throw UsageError("unknown option --" + name + " for '" + spec.name + "'" + seeHelp(spec));
        if (args.m_values.count(name)) throw UsageError("option --" + name + " is given more than once");
        if (option->valueName.empty()) {
            if (inlineValue) throw UsageError("option --" + name + " takes no value");
        } else if (!inlineValue) {
            if (i + 1 >= argv.size())
                throw UsageError("option --" + name + " needs a value (" + option->valueName + ")");
            value = argv[++i];
        }
        if (!option->valueName.empty() && value.empty())
            throw UsageError("option --" + name + " needs a value (" + option->valueName +
                             "), got an empty one");
        if (!isValidUtf8(value))
            throw UsageError(
                "option --" + name +
                " is not valid UTF-8 text; names and paths are stored as UTF-8 (rename the file, "
                "or give the name in UTF-8)");
        args.m_values[name] = value;
        args.m_order.push_back(name);
    }
    if (!args.m_help) {
        const int n = int(args.m_positionals.size());
        if (n < spec.minPositionals)
            throw UsageError("'" + spec.name + "' is missing an argument; usage: " + spec.usage);
        if (n > spec.maxPositionals)
            throw UsageError("unexpected argument '" + args.m_positionals[std::size_t(spec.maxPositionals)] +
                             "' for '" + spec.name + "'" + seeHelp(spec));
    }
    return args;
}

std::optional<std::string> Args::text(const std::string& name) const {
    auto it = m_values.find(name);
    if (it == m_values.end()) return std::nullopt;
    return it->second;
}

std::string Args::text(const std::string& name, const std::string& fallback) const {
    return text(name).value_or(fallback);
}

std::optional<std::int64_t> Args::integer64(const std::string& name, std::int64_t min,
                                            std::int64_t max) const {
    auto t = text(name);
    if (!t) return std::nullopt;
    std::int64_t v = 0;
    if (!parseInt64(*t, v)) throw UsageError("option --" + name + " expects an integer, got '" + *t + "'");
    if (v < min || v > max)
        throw UsageError("option --" + name + " must be between " + std::to_string(min) + " and " +
                         std::to_string(max) + ", got " + *t);
    return v;
}

std::optional<int> Args::integer(const std::string& name, int min, int max) const {
    auto v = integer64(name, min, max);
    if (!v) return std::nullopt;
    return int(*v);
}

std::optional<std::uint64_t> Args::unsignedInteger(const std::string& name) const {
    auto t = text(name);
    if (!t) return std::nullopt;
    std::uint64_t v = 0;
    const auto [ptr, ec] = std::from_chars(t->data(), t->data() + t->size(), v);
    if (t->empty() || ec != std::errc() || ptr != t->data() + t->size())
        throw UsageError("option --" + name + " expects a non-negative integer, got '" + *t + "'");
    return v;
}

std::optional<double> Args::number(const std::string& name, double min, double max) const {
    auto t = text(name);
    if (!t) return std::nullopt;
    double v = 0;
    if (!parseDouble(*t, v)) throw UsageError("option --" + name + " expects a number, got '" + *t + "'");
    if (v < min || v > max)
        throw UsageError("option --" + name + " must be between " + shortNumber(min) + " and " +
                         shortNumber(max) + ", got " + *t);
    return v;
}

std::optional<std::vector<int>> Args::integerList(const std::string& name, int min, int max) const {
    auto t = text(name);
    if (!t) return std::nullopt;
    std::vector<int> out;
    std::size_t start = 0;
    while (start <= t->size()) {
        const std::size_t comma = std::min(t->find(',', start), t->size());
        const std::string item = t->substr(start, comma - start);
        std::int64_t v = 0;
        if (!parseInt64(item, v))
            throw UsageError("option --" + name + " expects comma-separated integers, got '" + *t + "'");
        if (v < min || v > max)
            throw UsageError("option --" + name + ": " + item + " is not between " + std::to_string(min) +
                             " and " + std::to_string(max));
        out.push_back(int(v));
        start = comma + 1;
    }
    return out;
}

std::string helpText(const CommandSpec& spec) {
    std::string s = "usage: " + spec.usage + "\n\n" + spec.description + "\n";
    if (!spec.options.empty()) {
        s += "\noptions:\n";
        std::size_t width = 0;
        auto left = [](const OptionSpec& o) {
            return "--" + o.name + (o.valueName.empty() ? "" : " " + o.valueName);
        };
        for (const OptionSpec& o : spec.options) width = std::max(width, left(o).size());
        for (const OptionSpec& o : spec.options) {
            const std::string l = left(o);
            s += "  " + l + std::string(width - l.size() + 2, ' ') + o.help + "\n";
        }
        s += "  --help" + std::string(width > 6 ? width - 6 + 2 : 2, ' ') + "show this help\n";
    }
    if (!spec.examples.empty()) s += "\nexamples:\n" + spec.examples;
    return s;
}

} // namespace attnscope::cli
