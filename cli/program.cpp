#include "cli/program.h"

#include "cli/args.h"
#include "core/util/clipped_text.h"
#include "core/util/error.h"

#include <cstdio>
#include <exception>
#include <new>

namespace attnscope::cli {

namespace {

constexpr std::size_t kMaxErrorLine = 1000;

int fail(const char* program, const std::string& message, int status) {
    std::fflush(stdout);
    // One line of readable length, whatever the message quotes (a damaged file's contents).
    std::fprintf(stderr, "%s: %s\n", program, clippedForDisplay(oneLine(message), kMaxErrorLine).c_str());
    return status;
}

} // namespace

std::string oneLine(const std::string& message) {
    std::string out;
    bool pendingBreak = false;
    for (const char c : message) {
        if (c == '\n' || c == '\r') {
            pendingBreak = true;
            continue;
        }
        if (pendingBreak) {
            while (!out.empty() && out.back() == ' ') out.pop_back();
            if (!out.empty() && out.back() != ':' && out.back() != ';') out += ';';
            out += ' ';
            pendingBreak = false;
            if (c == ' ') continue;
        }
        if (c == ' ' && !out.empty() && out.back() == ' ') continue;
        out += c;
    }
    return out;
}

int guardedMain(const char* program, const std::function<int()>& body) {
    try {
        return body();
    } catch (const UsageError& e) {
        return fail(program, e.what(), 2);
    } catch (const Error& e) {
        return fail(program, e.what(), 1);
    } catch (const std::bad_alloc&) {
        return fail(program, "out of memory (try a smaller model, batch or length)", 1);
    } catch (const std::exception& e) {
        return fail(program, e.what(), 1);
    } catch (...) {
        return fail(program, "unexpected error", 1);
    }
}

} // namespace attnscope::cli
