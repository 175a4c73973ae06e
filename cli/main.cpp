// attnscope-cli: headless training, evaluation and export on the same core and run files as the app.
// This file only dispatches; each command lives in cli/cmd_<name>.cpp, and `plot` is the separate program
// attnscope-plot (cli/plot), which needs Qt. Failures: one line on stderr (cli/program.h).
#include "cli/common.h"
#include "cli/plot_launcher.h"
#include "cli/program.h"
#include "core/util/cpu_check.h"
#include "core/util/error.h"

#include <cstdio>
#include <string>
#include <vector>

namespace {

using namespace attnscope::cli;

const std::vector<const Command*>& commands() {
    static const std::vector<const Command*> all{
        &trainCommand(),   &resumeCommand(),     &evalCommand(),
        &infoCommand(),    &exportDataCommand(), &exportCheckpointCommand(),
        &presetsCommand(), &sweepCommand(),      &importCommand(),
        &headsCommand(),
    };
    return all;
}

void printOverview() {
    std::printf("attnscope-cli %s — train, evaluate and export AttnScope runs without the GUI\n\n"
                "usage: attnscope-cli <command> [options]\n\ncommands:\n",
                ATTNSCOPE_VERSION);
    for (const Command* c : commands())
        std::printf("  %-18s %s\n", c->spec.name.c_str(), c->spec.summary.c_str());
    std::printf("  %-18s %s\n", "plot",
                "draw a publication figure (PDF, SVG or PNG) of a run (runs attnscope-plot)");
    std::printf(
        "\n  attnscope-cli <command> --help   options of one command\n"
        "  attnscope-cli --version          print the version\n\n"
        "Run files (.attnrun) are the same the desktop app opens; docs/cli.md has an example session.\n");
}

int dispatch(int argc, char** argv) {
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" ||
        std::string(argv[1]) == "help") {
        printOverview();
        return 0;
    }
    const std::string name = argv[1];
    if (name == "--version") {
        std::printf("attnscope-cli %s\n", ATTNSCOPE_VERSION);
        return 0;
    }
    if (name == "plot") return runPlotProgram(argc, argv);
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
    attnscope::requireCpuFeatures(); // before any AVX2 code: a message, not SIGILL
    return guardedMain("attnscope-cli", [&] { return dispatch(argc, argv); });
}
