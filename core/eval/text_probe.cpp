#include "core/eval/text_probe.h"

#include "core/data/source_common.h"
#include "core/eval/extrapolation.h"
#include "core/model/workspace.h"
#include "core/nn/parallel.h"
#include "core/probe/probe.h"
#include "core/train/checkpoint.h"
#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>

namespace attnscope {

namespace {

// The UTF-8 character that contains byte `offset` of `text` ("\xNN" for a byte that is not valid UTF-8),
// and where it starts, so that the two <unk> bytes of "é" name one character.
std::pair<std::size_t, std::string> characterAt(const std::string& text, std::size_t offset) {
    std::size_t start = offset;
    while (start > 0 && offset - start < 3 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
        --start;
    const unsigned char lead = static_cast<unsigned char>(text[start]);
    const std::size_t length = lead < 0x80             ? 1
                               : (lead & 0xE0) == 0xC0 ? 2
                               : (lead & 0xF0) == 0xE0 ? 3
                               : (lead & 0xF8) == 0xF0 ? 4
                                                       : 0;
    if (length == 0 || start + length <= offset || start + length > text.size()) {
        static const char* digits = "0123456789ABCDEF";
        const unsigned char b = static_cast<unsigned char>(text[offset]);
        return {offset, std::string("\\x") + digits[b >> 4] + digits[b & 15]};
    }
    return {start, text.substr(start, length)};
}

} // namespace

int nearestCheckpoint(const std::vector<int>& steps, int step) {
    int best = -1;
    for (const int s : steps) {
        const long distance = std::labs(long(s) - step), bestDistance = std::labs(long(best) - step);
        if (best < 0 || distance < bestDistance || (distance == bestDistance && s < best)) best = s;
    }
    return best;
}

int probeTokenLimit(const ModelConfig& model) {
    // The evaluator's rule of which position schemes run past the context.
    if (!extrapolationLimit(model, model.context + 1).empty()) return model.context;
    return std::max(model.context, std::min(4 * model.context, kMaxExtrapolatedProbe));
}

ProbeText encodeProbeInput(const Tokenizer& tokenizer, const std::string& text, const ModelConfig& model,
                           bool bos) {
    ProbeText p;
    std::vector<std::size_t> unknownAt;
    p.tokens = encodeProbeText(tokenizer, text, bos, &unknownAt);
    std::size_t lastStart = std::string::npos;
    for (const std::size_t offset : unknownAt) {
        auto [start, character] = characterAt(text, offset);
        if (start == lastStart) continue; // another byte of the same character
        lastStart = start;
        ++p.unknown;
        if (std::find(p.unknownCharacters.begin(), p.unknownCharacters.end(), character) ==
            p.unknownCharacters.end())
            p.unknownCharacters.push_back(std::move(character));
    }
    p.limit = probeTokenLimit(model);
    if (int(p.tokens.size()) > p.limit) {
        p.dropped = p.tokens.size() - std::size_t(p.limit);
        p.tokens.resize(std::size_t(p.limit));
    }
    return p;
}

TextProbeResult textProbeResult(SnapshotPtr snapshot, const float* allLogits, const float* allLogZ, int V,
                                const std::vector<std::int32_t>& tokens, int step) {
    const int T = int(tokens.size());
    TextProbeResult r;
    r.step = step;
    r.snapshot = std::move(snapshot);
    r.predictions.resize(std::size_t(T));
    const int k = std::min(TokenPrediction::kTop, V);
    // Positions in parallel (each a pass over the vocabulary: a 50,257-wide head makes this a tenth of a
    // GPT-2 probe); the mean loss is then summed in position order, so it does not depend on the thread
    // count.
    nn::parallelChunks(T, 8, [&](std::ptrdiff_t begin, std::ptrdiff_t end) {
        std::vector<std::int32_t> order(static_cast<std::size_t>(V));
        for (std::ptrdiff_t i = begin; i < end; ++i) {
            const float* logits = allLogits + std::size_t(i) * V;
            const float logZ = allLogZ[i];
            TokenPrediction& p = r.predictions[std::size_t(i)];
            p.loss = std::numeric_limits<float>::quiet_NaN();
            if (i + 1 < T) {
                const std::int32_t next = tokens[std::size_t(i) + 1];
                p.loss = logZ - logits[next];
                p.rank =
                    1 + int(std::count_if(logits, logits + V, [&](float l) { return l > logits[next]; }));
            }
            std::iota(order.begin(), order.end(), 0);
            std::partial_sort(order.begin(), order.begin() + k, order.end(),
                              [&](std::int32_t a, std::int32_t b) {
                                  return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
                              });
            p.top.fill(-1);
            p.topProbability.fill(std::numeric_limits<float>::quiet_NaN());
            for (int j = 0; j < k; ++j) {
                p.top[std::size_t(j)] = order[std::size_t(j)];
                p.topProbability[std::size_t(j)] = std::exp(logits[order[std::size_t(j)]] - logZ);
            }
        }
    });
    double total = 0;
    for (int i = 0; i + 1 < T; ++i) total += r.predictions[std::size_t(i)].loss;
    r.meanLoss = T > 1 ? total / (T - 1) : std::numeric_limits<double>::quiet_NaN();
    return r;
}

TextProbeResult probeModel(Model<float>& model, const std::vector<std::int32_t>& tokens, int step) {
    if (tokens.empty()) throw Error("Nothing to probe: the text has no tokens.");
    const int T = int(tokens.size());
    Workspace<float> ws(model.config(), 1, T);
    SnapshotPtr snapshot = takeSnapshot(model, ws, tokens, step); // leaves the output logits and logZ in ws
    return textProbeResult(std::move(snapshot), ws.logits, ws.logZ, model.config().vocab, tokens, step);
}

TextProbeResult probeCheckpoint(const std::vector<std::uint8_t>& checkpoint,
                                const std::vector<std::int32_t>& tokens, int vocabulary) {
    LoadedModel loaded = loadModel(checkpoint);
    const ModelConfig& c = loaded.spec.model;
    if (c.vocab != vocabulary)
        throw Error("The checkpoint of step " + std::to_string(loaded.step) + " holds a model of " +
                    std::to_string(c.vocab) + " tokens, but the run's tokenizer has " +
                    std::to_string(vocabulary) + ": it belongs to another run (architecture mismatch).");
    if (int(tokens.size()) > probeTokenLimit(c))
        throw Error("The model of this checkpoint takes at most " + std::to_string(probeTokenLimit(c)) +
                    " tokens; the text has " + std::to_string(tokens.size()) + ".");
    return probeModel(*loaded.model, tokens, loaded.step);
}

} // namespace attnscope
