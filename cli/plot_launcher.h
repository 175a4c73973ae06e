#pragma once
// `attnscope-cli plot ...` runs attnscope-plot with the same arguments: plotting needs Qt (fonts, PDF and SVG
// writers), and attnscope-cli itself links no Qt so that it runs where Qt is not installed.

namespace attnscope::cli {

// argv as main() got it (argv[1] == "plot"). Replaces this process with attnscope-plot found beside this
// executable or in the install's bindir; throws attnscope::Error naming both places when there is none.
int runPlotProgram(int argc, char** argv);

} // namespace attnscope::cli
