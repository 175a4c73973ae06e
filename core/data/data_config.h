#pragma once
// Where the training tokens come from (the "data" object of a run spec).
#include <string>
#include <vector>

namespace attnscope {

struct DataConfig {
    // "fortunes" (Debian fortunes English text), "file" (path), or "task" (synthetic, see `task`)
    std::string source = "fortunes";
    std::string path;          // for source == "file"
    std::string task = "copy"; // copy|reverse|sort|induction|modadd|local
    int taskAlphabet = 16;     // synthetic tasks: number of distinct symbols
    int taskLocalK = 4;        // local task: target depends on previous k tokens
    bool bos = false;          // prepend a BOS separator to every training sequence (attention-sink studies)
    // Text corpora: every sequence starts at a document start (the first token after a blank line, or the
    // corpus start) instead of a random offset; implies bos. Synthetic tasks are always aligned.
    bool bosAligned = false;
    int taskTriggers = 3;     // bigram-backcopy: the k most frequent characters are triggers
    double valFraction = 0.1; // tail of the corpus used for validation
    std::string probeText;    // optional custom probe text; default taken from validation data

    // One sentence per violated constraint, naming the JSON key (RunSpec::validate prefixes "data: ").
    std::vector<std::string> validate() const;
};

} // namespace attnscope
