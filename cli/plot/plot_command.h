#pragma once
// The options of attnscope-plot and the command that draws the figure.
#include "cli/args.h"

namespace attnscope::cli {

const CommandSpec& plotSpec();
// Returns the exit status; throws UsageError or attnscope::Error.
int runPlot(const Args& args);

} // namespace attnscope::cli
