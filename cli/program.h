#pragma once
// The outer frame of the command-line programs (attnscope-cli, attnscope-plot): every failure ends as exactly
// one line on stderr, "<program>: <message>", and a non-zero exit status (1 = error, 2 = wrong usage).
#include <functional>
#include <string>

namespace attnscope::cli {

// Runs body and returns its exit status; turns every exception into the one error line.
int guardedMain(const char* program, const std::function<int()>& body);

// Joins a message that spans lines (a list of config problems) into one line.
std::string oneLine(const std::string& message);

} // namespace attnscope::cli
