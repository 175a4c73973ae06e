#include "cli/common.h"

#include "core/model/param_layout.h"
#include "core/store/run_reader.h"
#include "core/util/error.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <omp.h>
#include <unistd.h>

namespace attnscope::cli {

std::string humanBytes(std::uint64_t bytes) {
    const char* units[] = {"B", "KB", "MB", "GB", "TB"};
    double v = double(bytes);
    int u = 0;
    while (v >= 1000 && u < 4) v /= 1000, ++u;
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    return buf;
}

std::string humanDuration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    const long s = std::lround(seconds);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, s / 60 % 60);
    else if (s >= 60)
        std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%lds", s);
    return buf;
}

std::string pad(const std::string& text, int width) {
    std::size_t characters = 0;
    for (const char c : text) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    const std::size_t target = std::size_t(width < 0 ? -width : width);
    if (characters >= target) return text;
    const std::string fill(target - characters, ' ');
    return width < 0 ? text + fill : fill + text;
}

std::string withThousands(std::uint64_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

RunSpec headerSpec(const RunReader& reader) {
    return reader.spec(); // parsed and validated when the reader opened the file
}

std::uint64_t parameterCount(const ModelConfig& config) {
    const ParamLayout layout(config);
    std::uint64_t n = 0;
    for (const TensorInfo& t : layout.tensors) n += t.size();
    return n;
}

std::string fileNameFor(const std::string& runName) {
    std::string s;
    for (const char c : runName) {
        const bool safe = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        s += safe ? c : '_';
    }
    if (s.empty() || s == "." || s == "..") s = "run";
    return s;
}

void checkMemory(std::size_t bytes, const std::string& what, const std::string& hint) {
    const long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || pageSize <= 0) return; // unknown: let the allocation decide
    const double physical = double(pages) * double(pageSize);
    if (double(bytes) > 0.8 * physical)
        throw Error(what + " needs about " + humanBytes(bytes) + " of memory; this machine has " +
                    humanBytes(std::uint64_t(physical)) + ". " + hint);
}

void applyDataOption(const std::string& text, DataConfig& data) {
    if (text == "fortunes")
        data.source = "fortunes";
    else if (text.rfind("file:", 0) == 0 && text.size() > 5)
        data.source = "file", data.path = text.substr(5);
    else if (text.rfind("task:", 0) == 0 && text.size() > 5)
        data.source = "task", data.task = text.substr(5);
    else
        throw UsageError("option --data expects fortunes, file:PATH or task:NAME, got '" + text + "'");
}

void useThreads(int threads) {
    const int cores = std::max(1, omp_get_num_procs());
    // More threads than cores only adds switching; results are the same on any thread count, so a
    // larger request (a config from a bigger machine, a typo) is capped rather than refused.
    const int most = kMaxThreadsPerCore * cores;
    if (threads > most)
        std::fprintf(stderr, "note: %d threads requested; using %d (%d per core on this %d-core machine).\n",
                     threads, most, kMaxThreadsPerCore, cores);
    omp_set_num_threads(threads > 0 ? std::min(threads, most) : cores);
}

} // namespace attnscope::cli
