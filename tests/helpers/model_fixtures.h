#pragma once
// Small models for the mechanism tests (tst_mechanisms, tst_sigma_reparam): a config whose attention is far
// from uniform, random tokens, a freshly initialised model already run forward once, and an Eigen view of one
// parameter block.
#include "core/model/model.h"
#include "core/util/rng.h"

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace attnscope::test {

inline ModelConfig small() {
    ModelConfig c;
    c.layers = 2, c.heads = 4, c.dModel = 16, c.context = 8, c.vocab = 11;
    c.initStd = 0.3; // attention far from uniform so every check has signal
    return c;
}

inline std::vector<std::int32_t> randomTokens(Rng& rng, std::size_t n, int vocab) {
    std::vector<std::int32_t> t(n);
    for (auto& x : t) x = std::int32_t(rng.below(vocab));
    return t;
}

// Forward of a freshly initialised model on random tokens (B = 2, T = context).
template <typename T> struct Run {
    Model<T> model;
    Workspace<T> ws;
    Run(const ModelConfig& c, std::uint64_t seed) : model(c), ws(c, 2, c.context) {
        Rng rng(seed);
        model.initialize(rng);
        forward(rng);
    }
    double forward(Rng& rng) {
        const auto in = randomTokens(rng, ws.N, model.config().vocab),
                   tg = randomTokens(rng, ws.N, model.config().vocab);
        return model.forward(ws, in.data(), tg.data());
    }
};

// Columns [col0, col0 + cols) of parameter tensor `tensor` inside a params- or grads-shaped buffer.
using BlockMap = Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, 0,
                            Eigen::OuterStride<>>;
inline BlockMap blockOf(const Model<double>& m, double* buffer, int tensor, int col0, int cols) {
    const TensorInfo& t = m.layout().tensors[tensor];
    return BlockMap(buffer + t.offset + col0, t.rows, cols, Eigen::OuterStride<>(t.cols));
}
inline BlockMap blockOf(Model<double>& m, const SigmaGroup& g) {
    return blockOf(m, m.params.data(), g.tensor, g.col0, g.cols);
}

} // namespace attnscope::test
