#pragma once
// Where training tokens come from: a text corpus (file, Debian fortunes) or a synthetic teaching task.
// Every source owns its tokenizer, a deterministic train/validation split, and a fixed probe sequence.
#include "core/data/data_config.h"
#include "core/data/tokenizer.h"
#include "core/util/rng.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace attnscope {

enum class Split { Train, Validation };

// Target value meaning "this position is not scored" (prompt part of a synthetic task).
inline constexpr std::int32_t kIgnoreTarget = -1;

class TokenSource {
public:
    virtual ~TokenSource() = default;

    virtual const Tokenizer& tokenizer() const = 0;
    // Identity for provenance: e.g. "fortunes (12 files)", "file:/path/x.txt", "task:induction".
    virtual std::string name() const = 0;
    // Hex digest of the content (corpus bytes, or task name + parameters) so runs can cite their data.
    virtual std::string contentHash() const = 0;

    // Fills inputs[B*T] and targets[B*T] (row-major, sequence b at b*T). targets[i] is the token that
    // follows inputs[i], or kIgnoreTarget where the position is not scored. Deterministic given rng.
    virtual void sampleBatch(Split split, int batch, int length, Rng& rng, std::int32_t* inputs,
                             std::int32_t* targets) const = 0;

    // The fixed probe sequence of `length` tokens (validation text, or a task instance made from a fixed
    // seed) with its targets, used for instrumentation snapshots.
    virtual void probe(int length, std::vector<std::int32_t>& inputs,
                       std::vector<std::int32_t>& targets) const = 0;

    // Contiguous validation token stream for length-extrapolation evaluation; empty for synthetic tasks
    // (they generate fresh instances of any length through sampleBatch instead).
    virtual const std::vector<std::int32_t>& validationStream() const = 0;

    // Longest sequence length this source can provide in both splits (for corpus files: the shorter
    // split's tokens − 1, as the last token is only a target; with <bos>, one more; tasks: unlimited).
    virtual std::int64_t maxLength() const = 0;

    // The token ids that stand for data rather than structure, which the induction probe draws from: every
    // id after the tokenizer's specials (<unk>, <bos>); a task leaves out its separators and end marker,
    // bigram-backcopy its triggers (after which the next token follows the copy rule).
    virtual std::vector<std::int32_t> ordinarySymbols() const;
    // Tokens after which a task's next token follows a rule instead of the data distribution (the triggers
    // of bigram-backcopy); probes average the sink score over the other queries. Empty for most sources.
    virtual std::vector<std::int32_t> triggerTokens() const { return {}; }
    // Names of the parts of the training cross-entropy a task reports separately at every step (stored in
    // the run file's step_scalars, e.g. "bigram_loss", "backcopy_loss"); empty for most sources.
    virtual std::vector<std::string> lossParts() const { return {}; }
    // The part (index into lossParts()) that scores the target after position i of `sequence` (its
    // inputs); -1 for none.
    virtual int lossPart(const std::int32_t* /*sequence*/, int /*i*/) const { return -1; }
};

// Valid DataConfig::source names ("fortunes", "file", "task"); task names are in synthetic_tasks.h.
const std::vector<std::string>& dataSourceNames();

// Builds the source described by `config` for sequences of `context` tokens. Throws attnscope::Error with
// a clear message on any problem (missing/empty/binary file, corpus shorter than the context, ...).
std::unique_ptr<TokenSource> makeTokenSource(const DataConfig& config, int context);

} // namespace attnscope
