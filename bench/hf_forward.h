#pragma once
// `attnscope-bench --hf MODEL_DIR`: the imported-model forward (core/hf/hf_forward.h) of a Hugging Face
// folder, timed alone (T tokens, no probe record) and as a full probe (forward + maps + every metric).
// bench/compare-hf-pytorch.py drives it against PyTorch in interleaved rounds.
#include <string>

namespace attnscope::bench {

// Prints per repetition "forward T <wall s> <cpu s>" then "probe T <wall s> <cpu s>" (CPU seconds of all
// threads). Returns the exit status.
int runHfForward(const std::string& folder, int forwardTokens, int probeTokens, int repeat, int threads);

} // namespace attnscope::bench
