// attnscope-cli: headless training, evaluation and export on the same core and run files as the app.
// This file only dispatches; each command lives in cli/cmd_<name>.cpp. Every failure ends as exactly one
// line on stderr, "attnscope-cli: <message>", and a non-zero exit status (1 = error, 2 = wrong usage).
#include "cli/common.h"
#include "core/util/error.h"

#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <vector>

#ifdef ATTNSCOPE_CLI_PLOT
namespace attnscope::cli {
const Command& plotCommand(); // cli/plot/plot_command.cpp, built only with the GUI libraries
}
#endif

namespace {

using namespace attnscope::cli;

const std::vector<const Command*>& commands() {
    static const std::vector<const Command*> all{
        &trainCommand(),      &resumeCommand(),           &evalCommand(),    &infoCommand(),
        &exportDataCommand(), &exportCheckpointCommand(), &presetsCommand(), &sweepCommand(),
#ifdef ATTNSCOPE_CLI_PLOT
        &plotCommand(),
#endif
    };
    return all;
}

void printOverview() {
    std::printf("attnscope-cli %s — train, evaluate and export AttnScope runs without the GUI\n\n"
                "usage: attnscope-cli <command> [options]\n\ncommands:\n",
                ATTNSCOPE_VERSION);
    for (const Command* c : commands())
        std::printf("  %-18s %s\n", c->spec.name.c_str(), c->spec.summary.c_str());
    std::printf(
        "\n  attnscope-cli <command> --help   options of one command\n"
        "  attnscope-cli --version          print the version\n\n"
        "Run files (.attnrun) are the same the desktop app opens; docs/cli.md has an example session.\n");
}

// Error messages are sentences that may span lines (a list of config problems); the CLI promises one line.
std::string oneLine(std::string message) {
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

int fail(const std::string& message, int status) {
    std::fflush(stdout);
    std::fprintf(stderr, "attnscope-cli: %s\n", oneLine(message).c_str());
    return status;
}

int dispatch(int argc, char** argv) {
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" ||
        std::string(argv[1]) == "help") {
        printOverview();
        return 0;
    }
    const std::string name = argv[1];
    if (name == "--version") {
        std::printf("%s\n", ATTNSCOPE_VERSION);
        return 0;
    }
    for (const Command* c : commands()) {
        if (c->spec.name != name) continue;
        const Args args = Args::parse(c->spec, std::vector<std::string>(argv + 2, argv + argc));
        if (args.helpRequested()) {
            std::printf("%s", helpText(c->spec).c_str());
            return 0;
        }
        return c->run(args);
    }
    throw UsageError("unknown command '" + name + "' (attnscope-cli --help lists the commands)");
}

} // namespace

int main(int argc, char** argv) {
    try {
        return dispatch(argc, argv);
    } catch (const UsageError& e) {
        return fail(e.what(), 2);
    } catch (const attnscope::Error& e) {
        return fail(e.what(), 1);
    } catch (const std::bad_alloc&) {
        return fail("out of memory (try a smaller model, batch or length)", 1);
    } catch (const std::exception& e) {
        return fail(e.what(), 1);
    } catch (...) {
        return fail("unexpected error", 1);
    }
}
