#pragma once
// One exception type for bad input (configs, corpora, run files). Messages are complete sentences meant
// for the user; the CLI prints them on one line, the GUI shows them in a dialog.
#include <stdexcept>
#include <string>

namespace attnscope {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

} // namespace attnscope
