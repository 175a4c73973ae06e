#include "helpers/run_fixtures.h"

#include "core/data/tokenizer.h"
#include "core/io/blob_codec.h"
#include "core/io/safetensors.h"
#include "core/store/run_reader.h"
#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <stdexcept>

namespace attnscope::test {

namespace fs = std::filesystem;

namespace {
const float kNaN = std::numeric_limits<float>::quiet_NaN();
} // namespace

RunHeader makeHeader() {
    RunHeader h;
    h.specJson = R"({"name":"unit","model":{"layers":2}})";
    h.corpusName = "fortunes";
    h.corpusHash = "sha256:abc";
    h.tokenizerJson = Tokenizer::fromText("The quick brown fox").toJson();
    h.probeTokens = {5, 17, 0, 255};
    h.probeText = "The quick → brown fox";
    h.description = "round trip";
    return h;
}

StepRecord stepRecord(int step) {
    StepRecord r;
    r.step = step;
    r.loss = 4.0 - 0.01 * step;
    r.valLoss = step % 10 == 0 ? 3.5 : kNotEvaluated;
    r.lr = 1e-3;
    r.gradNorm = step == 4 ? INFINITY : 0.5 * step;
    r.tokensPerSec = 1000 + step;
    r.elapsedSec = 0.1 * step;
    if (step % 3 == 0) r.scalars = {{"backcopy_loss", 0.5 / step}, {"bigram_loss", 2.0 + step}};
    return r;
}

ProbeSnapshot makeSnapshot(int step, int layers, int heads, int length, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 2.0f);
    ProbeSnapshot s;
    s.step = step;
    s.layers = layers;
    s.heads = heads;
    s.length = length;
    for (int t = 0; t < length; ++t) s.tokens.push_back(int(rng() % 256));
    const std::size_t lh = std::size_t(layers) * heads, tt = std::size_t(length) * length;
    for (auto* v : {&s.entropy, &s.normEntropy, &s.maxLogit, &s.meanRowMax, &s.sinkScore, &s.meanDistance,
                    &s.sigmaQK, &s.sigmaQ, &s.sigmaK, &s.entropyBound})
        for (std::size_t i = 0; i < lh; ++i) v->push_back(normal(rng));
    s.entropyBound[0] = kNaN;
    for (std::size_t i = 0; i < lh * length; ++i) s.keyProfile.push_back(normal(rng));
    for (int l = 0; l < layers; ++l) s.importanceEntropy.push_back(normal(rng));
    for (auto* v : {&s.sinkNonTrigger, &s.topKeyShare})
        for (std::size_t i = 0; i < lh; ++i) v->push_back(normal(rng));
    for (std::size_t i = 0; i < lh; ++i) s.topKey.push_back(float(rng() % unsigned(std::max(length, 1))));
    for (std::size_t i = 0; i < lh * length; ++i) s.valueNorm.push_back(std::abs(normal(rng)));
    for (std::size_t i = 0; i < std::size_t(layers + 1) * length; ++i)
        s.residualNorm.push_back(std::abs(normal(rng)));
    s.sinkRate = 0.25f;
    s.outLogitMax = 12.5f;
    s.meanLogZ = kNaN;
    s.scalarNames = {"sigma/l0.qkv", "gamma/l0.qkv", "lambda1/l1"};
    s.scalarValues = {1.5f, kNaN, -0.25f};
    s.attention.assign(lh * tt, 0.0f);
    s.logits.assign(lh * tt, kNaN);
    for (std::size_t m = 0; m < lh; ++m) {
        const bool local = m % 2 == 1;
        for (int q = 0; q < length; ++q) {
            float* logit = s.logits.data() + m * tt + std::size_t(q) * length;
            float* attn = s.attention.data() + m * tt + std::size_t(q) * length;
            float sum = 0;
            for (int k = 0; k <= q; ++k)
                if (!local || q - k < 4) sum += attn[k] = std::exp(logit[k] = normal(rng));
            for (int k = 0; k <= q; ++k) attn[k] /= sum;
        }
    }
    return s;
}

bool sameFloat(double a, double b) {
    return (std::isnan(a) && std::isnan(b)) || a == b;
}
bool sameFloats(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!sameFloat(a[i], b[i])) return false;
    return true;
}
float viaHalf(float v) {
    return blob::halfToFloat(blob::floatToHalf(v));
}

Bytes checkpointImage(int step) {
    SafeTensorsFile file;
    const std::vector<float> w(64, 0.5f * step);
    file.add("param/w", w.data(), {8, 8});
    file.add("adam_m/w", w.data(), {8, 8});
    file.metadata = {{"spec", "{}"}, {"step", std::to_string(step)}, {"rng", "42"}};
    return file.serialize();
}

Bytes readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void writeBytes(const std::string& path, const Bytes& b, std::size_t n) {
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(b.data()), std::streamsize(n));
}
void removeRun(const std::string& path) {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);
}
std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

std::string readEverything(const std::string& path) {
    return errorOf([&] {
        RunReader r(path);
        const auto steps = r.steps();
        for (std::size_t i = 1; i < steps.size(); ++i)
            if (steps[i].step <= steps[i - 1].step) throw std::logic_error("steps out of order");
        for (int step : r.snapshotSteps()) {
            const SnapshotPtr s = r.snapshot(step);
            // A listed snapshot that a lookup cannot find means a damaged b-tree that SQLite only notices in
            // a full check; verify() must then report it.
            if (!s && r.verify().empty()) throw std::logic_error("listed snapshot is missing");
            if (!s) throw Error("damaged index");
            const std::size_t maps = std::size_t(s->layers) * s->heads * s->length * s->length;
            if ((s->attention.size() != maps && !s->attention.empty()) ||
                s->tokens.size() != std::size_t(s->length) || s->scalarNames.size() != s->scalarValues.size())
                throw std::logic_error("inconsistent snapshot");
        }
        for (int step : r.checkpointSteps()) SafeTensorsFile::parse(r.checkpoint(step));
        r.events();
        r.evals();
        r.statusHistory();
        r.status();
        RunCursor cursor;
        r.poll(cursor);
        r.verify();
    });
}

} // namespace attnscope::test
