#include "cli/plot_launcher.h"

#include "core/util/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

namespace attnscope::cli {

namespace {

// The folder of the running executable (symlinks resolved), or "" when /proc is not mounted.
std::string executableDir() {
    std::vector<char> buf(4096);
    const ssize_t n = readlink("/proc/self/exe", buf.data(), buf.size() - 1);
    if (n <= 0) return {};
    const std::string path(buf.data(), std::size_t(n));
    const std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

} // namespace

int runPlotProgram(int argc, char** argv) {
    std::vector<std::string> candidates;
    if (const std::string dir = executableDir(); !dir.empty()) candidates.push_back(dir + "/attnscope-plot");
    candidates.push_back(std::string(ATTNSCOPE_INSTALL_BINDIR) + "/attnscope-plot");
    for (std::string& program : candidates) {
        if (access(program.c_str(), X_OK) != 0) continue;
        std::vector<char*> args{program.data()};
        for (int i = 2; i < argc; ++i) args.push_back(argv[i]);
        args.push_back(nullptr);
        std::fflush(stdout);
        execv(program.c_str(), args.data());
        throw Error("Cannot run " + program + ": " + std::strerror(errno) + ".");
    }
    throw Error("plot needs the attnscope-plot program, which is not installed (looked for " +
                candidates.front() + (candidates.size() > 1 ? " and " + candidates.back() : std::string()) +
                "). It is built with Qt 6 (Gui, Svg) and installed with the app; every other command works "
                "without it.");
}

} // namespace attnscope::cli
