#include "bench/scale/synthetic_run.h"

#include "core/data/tokenizer.h"
#include "core/probe/metrics.h"
#include "core/store/run_file.h"
#include "core/train/run_spec.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

namespace attnscope::bench {

namespace {

// xorshift64*: fast, deterministic noise (std::normal_distribution costs more than the softmax).
struct Noise {
    std::uint64_t s;
    explicit Noise(std::uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
    float uniform() {
        s ^= s >> 12, s ^= s << 25, s ^= s >> 27;
        return float((s * 0x2545F4914F6CDD1Dull) >> 40) * (1.0f / 16777216.0f);
    }
    float gaussian() { return (uniform() + uniform() + uniform() + uniform() - 2.0f) * 1.732f; } // ≈ N(0, 1)
};

enum class Kind { PreviousToken, Sink, Local, Diffuse };

Kind kindOf(int layer, int head) {
    return Kind((layer * 5 + head * 3) % 4);
}

const char* kText =
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the "
    "age of foolishness, it was the epoch of belief, it was the epoch of incredulity. ";

std::vector<std::int32_t> probeTokens(int length) {
    const Tokenizer tok = Tokenizer::fromText(kText);
    const std::string text(kText);
    std::string probe;
    while (int(probe.size()) < length) probe += text;
    return tok.encode(probe.substr(0, std::size_t(length)));
}

} // namespace

ProbeSnapshot syntheticSnapshot(const SyntheticRunShape& shape, int index) {
    const int L = shape.layers, H = shape.heads, T = shape.length;
    const std::size_t TT = std::size_t(T) * T, LH = std::size_t(L) * H;
    ProbeSnapshot s;
    s.step = index * shape.stepsPerSnapshot;
    s.layers = L, s.heads = H, s.length = T;
    s.tokens = probeTokens(T);
    s.mapPrecision = shape.precision;
    // Structure sharpens as training goes on: 0 at the first snapshot, 1 at the last.
    const float progress = shape.snapshots > 1 ? float(index) / float(shape.snapshots - 1) : 1.0f;
    s.attention.assign(LH * TT, 0.0f);
    s.logits.assign(LH * TT, std::numeric_limits<float>::quiet_NaN());
    for (auto* v :
         {&s.entropy, &s.normEntropy, &s.maxLogit, &s.meanRowMax, &s.sinkScore, &s.meanDistance, &s.sigmaQK,
          &s.sigmaQ, &s.sigmaK, &s.entropyBound, &s.sinkNonTrigger, &s.topKey, &s.topKeyShare})
        v->assign(LH, 0.0f);
    s.keyProfile.assign(LH * T, 0.0f);
    s.valueNorm.assign(LH * T, 0.0f);
    s.residualNorm.assign(std::size_t(L + 1) * T, 0.0f);
    s.importanceEntropy.assign(L, 0.0f);
    const std::vector<bool> dormant(std::size_t(T), true);
    int sinkHeads = 0;
#pragma omp parallel for schedule(dynamic) reduction(+ : sinkHeads)
    for (std::ptrdiff_t idx = 0; idx < std::ptrdiff_t(LH); ++idx) {
        const int layer = int(idx) / H, head = int(idx) % H;
        Noise noise(std::uint64_t(index) * 100003u + std::uint64_t(idx));
        const Kind kind = kindOf(layer, head);
        float* A = s.attention.data() + std::size_t(idx) * TT;
        float* Z = s.logits.data() + std::size_t(idx) * TT;
        const float spread = kind == Kind::Diffuse ? 0.6f : 1.5f;
        for (int i = 0; i < T; ++i) {
            float* a = A + std::size_t(i) * T;
            float* z = Z + std::size_t(i) * T;
            float top = -std::numeric_limits<float>::infinity();
            for (int j = 0; j <= i; ++j) {
                float v = spread * noise.gaussian();
                if (kind == Kind::PreviousToken && j == i - 1) v += 9.0f * progress;
                if (kind == Kind::Sink && j == 0) v += 1.0f + 7.0f * progress;
                if (kind == Kind::Local) v -= 0.05f * progress * float(i - j);
                z[j] = v;
                top = std::max(top, v);
            }
            double sum = 0;
            for (int j = 0; j <= i; ++j) sum += a[j] = std::exp(z[j] - top);
            for (int j = 0; j <= i; ++j) a[j] = float(a[j] / sum);
        }
        const HeadMetrics m = headMetrics(A, Z, T, 0);
        s.entropy[idx] = m.entropy, s.normEntropy[idx] = m.normEntropy, s.maxLogit[idx] = m.maxLogit;
        s.meanRowMax[idx] = m.meanRowMax, s.sinkScore[idx] = m.sinkScore,
        s.meanDistance[idx] = m.meanDistance;
        sinkHeads += m.sinkScore > 0.3f;
        const SinkMetrics sm = sinkMetrics(A, T, 0, dormant);
        s.sinkNonTrigger[idx] = sm.sinkNonTrigger, s.topKey[idx] = float(sm.topKey);
        s.topKeyShare[idx] = sm.topKeyShare;
        const std::vector<float> profile = keyProfile(A, T, 0);
        std::copy(profile.begin(), profile.end(), s.keyProfile.begin() + idx * T);
        for (int j = 0; j < T; ++j) s.valueNorm[std::size_t(idx) * T + j] = 1.0f + 0.2f * noise.uniform();
        s.sigmaQK[idx] = 5.0f + 10.0f * progress, s.sigmaQ[idx] = 3.0f, s.sigmaK[idx] = 3.0f;
        s.entropyBound[idx] = std::numeric_limits<float>::quiet_NaN();
    }
    for (int l = 0; l < L; ++l) {
        std::vector<const float*> maps;
        for (int h = 0; h < H; ++h) maps.push_back(s.map(l, h));
        s.importanceEntropy[l] = importanceEntropy(maps, T);
    }
    Noise noise(std::uint64_t(index) + 7);
    for (float& r : s.residualNorm) r = 20.0f + noise.uniform();
    s.sinkRate = float(sinkHeads) / float(LH);
    s.outLogitMax = 10.0f + 5.0f * progress;
    s.meanLogZ = 8.0f;
    if (!shape.logits) s.logits = {};
    return s;
}

RunHeader syntheticHeader(const SyntheticRunShape& shape) {
    const Tokenizer tok = Tokenizer::fromText(kText);
    RunSpec spec;
    spec.name = "synthetic " + std::to_string(shape.layers) + "x" + std::to_string(shape.heads) + "x" +
                std::to_string(shape.length);
    spec.model.layers = shape.layers, spec.model.heads = shape.heads, spec.model.dModel = 64 * shape.heads;
    spec.model.context = shape.length, spec.model.vocab = tok.vocabSize();
    spec.train.steps = std::max(1, shape.snapshots - 1) * shape.stepsPerSnapshot;
    spec.train.recordEvery = shape.stepsPerSnapshot;
    spec.train.probeLength = shape.length;
    spec.train.mapPrecision = shape.precision, spec.train.probeLogits = shape.logits;
    RunHeader header;
    header.specJson = toJson(spec).dump();
    header.corpusName = "synthetic (bench/scale)";
    header.tokenizerJson = tok.toJson();
    header.probeTokens = probeTokens(shape.length);
    header.probeText = tok.decode(header.probeTokens);
    header.description = "Synthetic attention maps made by attnscope-synthetic-run (no model was trained).";
    return header;
}

} // namespace attnscope::bench
