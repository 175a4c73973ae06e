// attnscope-plot: publication figures of run files from the command line. A program of its own because it
// needs Qt (fonts, PDF and SVG writers) while attnscope-cli links no Qt; `attnscope-cli plot ARGS` runs it.
#include "cli/plot/plot_command.h"
#include "cli/program.h"
#include "core/util/cpu_check.h"

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    attnscope::requireCpuFeatures();
    using namespace attnscope::cli;
    return guardedMain("attnscope-plot", [&] {
        if (argc == 2 && std::string(argv[1]) == "--version") {
            std::printf("attnscope-plot %s\n", ATTNSCOPE_VERSION);
            return 0;
        }
        const Args args = Args::parse(plotSpec(), std::vector<std::string>(argv + 1, argv + argc));
        if (args.helpRequested() || argc < 2) {
            std::printf("%s", helpText(plotSpec()).c_str());
            return 0;
        }
        return runPlot(args);
    });
}
