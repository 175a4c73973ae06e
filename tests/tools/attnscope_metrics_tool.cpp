// attnscope_metrics_tool: the engine's attention metrics (core/probe/metrics.h) of maps given as .npy files,
// printed as JSON. Used by python/tests/test_metrics.py to check that the Python package computes the same
// numbers (metric definitions are shared, not re-invented).
//
//   attnscope_metrics_tool ATTENTION.npy LOGITS.npy WINDOWS.npy [TOKENS.npy | MATRIX.npy]
//     ATTENTION, LOGITS: float32 [N, T, T] (C order; logits NaN where invisible); WINDOWS: int64 [N];
//     the optional fourth file is told apart by its dtype:
//     TOKENS: int64 [T], the probe tokens: each head then also has its head scores (core/probe/head_scores.h)
//     previous_token, duplicate_token, induction_score, local_mass;
//     MATRIX: float32 [R, C]
//   prints {"heads": [{entropy, norm_entropy, max_logit, mean_row_max, sink_score, mean_distance,
//           key_profile: [...]}, ...], "importance_entropy": <of all N maps as one layer>,
//           "sink_rate": <fraction of the N heads that are sink heads>,
//           "entropy_lower_bound": [bound(ς, T) for ς in 0, 0.5, 1, 2, 5, 10],
//           "spectral_norm": <σ(MATRIX) by the probe's power iteration, with MATRIX only>}
#include "core/probe/head_scores.h"
#include "core/probe/metrics.h"
#include "core/probe/probe.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

struct Npy {
    std::string descr;
    std::vector<std::size_t> shape;
    std::vector<char> data;
};

// Minimal reader for the .npy files numpy.save writes (version 1.0/2.0, C order, little-endian).
Npy readNpy(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0)
        throw std::runtime_error(path + " is not a .npy file");
    const int major = static_cast<unsigned char>(bytes[6]);
    std::size_t headerLen = 0, start = 0;
    if (major == 1) {
        headerLen = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
        start = 10;
    } else {
        std::uint32_t n = 0;
        std::memcpy(&n, bytes.data() + 8, 4);
        headerLen = n;
        start = 12;
    }
    const std::string header(bytes.data() + start, headerLen);
    if (header.find("'fortran_order': False") == std::string::npos)
        throw std::runtime_error(path + " must be in C order");
    Npy npy;
    const auto d = header.find("'descr': '") + 10;
    npy.descr = header.substr(d, header.find('\'', d) - d);
    const auto s = header.find('(', header.find("'shape'")) + 1;
    const std::string dims = header.substr(s, header.find(')', s) - s);
    std::size_t at = 0;
    while (at < dims.size()) {
        const auto comma = dims.find(',', at);
        const std::string part = dims.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        if (part.find_first_not_of(' ') != std::string::npos) npy.shape.push_back(std::stoul(part));
        if (comma == std::string::npos) break;
        at = comma + 1;
    }
    npy.data.assign(bytes.begin() + std::ptrdiff_t(start + headerLen), bytes.end());
    return npy;
}

template <typename T> std::vector<T> values(const Npy& npy, const char* descr) {
    if (npy.descr != descr)
        throw std::runtime_error(std::string("expected dtype ") + descr + ", got " + npy.descr);
    std::vector<T> out(npy.data.size() / sizeof(T));
    std::memcpy(out.data(), npy.data.data(), out.size() * sizeof(T));
    return out;
}

double finiteOrNull(double v, nlohmann::json& slot) {
    slot = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
    return v;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 4 && argc != 5) {
        std::fprintf(stderr, "usage: %s ATTENTION.npy LOGITS.npy WINDOWS.npy [TOKENS.npy | MATRIX.npy]\n",
                     argv[0]);
        return 2;
    }
    try {
        const Npy a = readNpy(argv[1]), z = readNpy(argv[2]), w = readNpy(argv[3]);
        if (a.shape.size() != 3 || a.shape[1] != a.shape[2] || z.shape != a.shape || w.shape.size() != 1 ||
            w.shape[0] != a.shape[0])
            throw std::runtime_error("expected ATTENTION and LOGITS [N, T, T] and WINDOWS [N]");
        const std::vector<float> A = values<float>(a, "<f4"), Z = values<float>(z, "<f4");
        const std::vector<std::int64_t> windows = values<std::int64_t>(w, "<i8");
        const int N = int(a.shape[0]), T = int(a.shape[1]);
        std::vector<std::int32_t> tokens;
        Npy matrix;
        if (argc == 5) {
            Npy extra = readNpy(argv[4]);
            if (extra.descr == "<i8") {
                if (extra.shape.size() != 1 || int(extra.shape[0]) != T)
                    throw std::runtime_error("expected TOKENS [T]");
                for (const std::int64_t v : values<std::int64_t>(extra, "<i8"))
                    tokens.push_back(std::int32_t(v));
            } else {
                matrix = std::move(extra);
            }
        }
        nlohmann::json out;
        out["heads"] = nlohmann::json::array();
        std::vector<const float*> maps;
        std::vector<float> sinkScores;
        for (int n = 0; n < N; ++n) {
            const float* An = A.data() + std::size_t(n) * T * T;
            const float* Zn = Z.data() + std::size_t(n) * T * T;
            const attnscope::HeadMetrics m = attnscope::headMetrics(An, Zn, T, int(windows[n]));
            nlohmann::json h;
            finiteOrNull(m.entropy, h["entropy"]);
            finiteOrNull(m.normEntropy, h["norm_entropy"]);
            finiteOrNull(m.maxLogit, h["max_logit"]);
            finiteOrNull(m.meanRowMax, h["mean_row_max"]);
            finiteOrNull(m.sinkScore, h["sink_score"]);
            finiteOrNull(m.meanDistance, h["mean_distance"]);
            h["key_profile"] = attnscope::keyProfile(An, T, int(windows[n]));
            if (!tokens.empty()) {
                const attnscope::HeadScores hs = attnscope::headScores(An, tokens.data(), T);
                h["previous_token"] = hs.previousToken;
                h["duplicate_token"] = hs.duplicateToken;
                h["induction_score"] = hs.induction;
                h["local_mass"] = hs.localMass;
            }
            out["heads"].push_back(h);
            maps.push_back(An);
            sinkScores.push_back(m.sinkScore);
        }
        out["importance_entropy"] = attnscope::importanceEntropy(maps, T);
        out["sink_rate"] = attnscope::sinkRate(sinkScores);
        if (argc == 5 && tokens.empty()) {
            if (matrix.shape.size() != 2) throw std::runtime_error("expected TOKENS [T] or MATRIX [R, C]");
            const std::vector<float> M = values<float>(matrix, "<f4");
            const int rows = int(matrix.shape[0]), cols = int(matrix.shape[1]);
            out["spectral_norm"] = attnscope::spectralNorm(M.data(), rows, cols, cols);
        }
        for (const double s : {0.0, 0.5, 1.0, 2.0, 5.0, 10.0})
            out["entropy_lower_bound"].push_back(attnscope::entropyLowerBound(s, T));
        std::printf("%s\n", out.dump().c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "attnscope_metrics_tool: %s\n", e.what());
        return 1;
    }
    return 0;
}
