#pragma once
// Command-line parsing for attnscope-cli: every command declares its options once (name, value, help) and
// gets both strict parsing and its --help text from that declaration. Bad usage throws UsageError with one
// sentence; main() prints it as the single error line.
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace attnscope::cli {

// Wrong command-line usage (unknown option, missing or malformed value). Exit status 2.
class UsageError : public std::runtime_error {
public:
    explicit UsageError(const std::string& message) : std::runtime_error(message) {}
};

struct OptionSpec {
    std::string name;      // without dashes: "steps"
    std::string valueName; // "N", "FILE"; empty for a switch that takes no value
    std::string help;      // one line
};

struct CommandSpec {
    std::string name;        // "train"
    std::string summary;     // one line for `attnscope-cli --help`
    std::string usage;       // "attnscope-cli train [options]"
    std::string description; // paragraph(s) shown by `<command> --help`
    int minPositionals = 0, maxPositionals = 0;
    std::vector<OptionSpec> options; // --help is implicit
    std::string examples;            // shown at the end of --help
};

class Args {
public:
    // Parses argv (without the program and command names). Accepts "--name value" and "--name=value";
    // "--" ends the options. Throws UsageError for unknown or repeated options, a missing value, a value
    // given to a switch, or the wrong number of positional arguments (unless --help is present).
    static Args parse(const CommandSpec& spec, const std::vector<std::string>& argv);

    const std::string& command() const { return m_command; }
    bool helpRequested() const { return m_help; }
    bool has(const std::string& name) const { return m_values.count(name) > 0; }
    const std::vector<std::string>& positionals() const { return m_positionals; }
    // Names of the options that were given, in command-line order.
    const std::vector<std::string>& given() const { return m_order; }

    std::optional<std::string> text(const std::string& name) const;
    std::string text(const std::string& name, const std::string& fallback) const;
    // Typed values; a malformed or out-of-range value throws UsageError naming the option.
    std::optional<int> integer(const std::string& name, int min, int max) const;
    std::optional<std::int64_t> integer64(const std::string& name, std::int64_t min, std::int64_t max) const;
    std::optional<std::uint64_t> unsignedInteger(const std::string& name) const;
    std::optional<double> number(const std::string& name, double min, double max) const;
    // Comma-separated integers ("16,32,64"), each within [min, max].
    std::optional<std::vector<int>> integerList(const std::string& name, int min, int max) const;

private:
    std::string m_command;
    bool m_help = false;
    std::map<std::string, std::string> m_values;
    std::vector<std::string> m_order;
    std::vector<std::string> m_positionals;
};

// The --help text of one command, built from its spec.
std::string helpText(const CommandSpec& spec);

// Strict number parsing shared by the parser and the commands ("12abc", "", "1e400" are refused).
bool parseInt64(const std::string& text, std::int64_t& out);
bool parseDouble(const std::string& text, double& out);

} // namespace attnscope::cli
