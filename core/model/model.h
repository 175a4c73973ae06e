#pragma once
// The decoder-only transformer (nanoGPT-style pre-LN, mechanisms.md §1) with every mechanism as a config
// switch. Parameters, gradients and σReparam state are flat buffers; activations live in a Workspace, so one
// model can train at (B, T) and be probed or evaluated at other shapes. T = float trains, T = double checks
// gradients against finite differences.
#include "core/model/config.h"
#include "core/model/param_layout.h"
#include "core/model/workspace.h"
#include "core/nn/linear.h"
#include "core/util/aligned.h"
#include "core/util/rng.h"

#include <cstdint>
#include <vector>

namespace attnscope {

template <typename T> class Model {
public:
    explicit Model(const ModelConfig& config); // throws attnscope::Error for an invalid config
    const ModelConfig& config() const { return m_config; }
    const ParamLayout& layout() const { return m_layout; }

    // nanoGPT initialisation (§1.2) from `rng`; σReparam vectors from an exact SVD, γ per GammaInit.
    void initialize(Rng& rng);

    // One power-iteration step for every σReparam group (once per training step, before forward).
    void sigmaPowerStep();

    // Forward pass over inputs (B·T). Returns the mean cross-entropy over scored targets (targets < 0 are
    // not scored; targets == nullptr computes logits only and returns 0). z-loss is added to the gradient
    // and reported by lastZLoss().
    double forward(Workspace<T>& ws, const std::int32_t* inputs, const std::int32_t* targets);
    // Gradients of the last forward's loss (CE + z-loss) into grads (overwritten).
    void backward(Workspace<T>& ws);
    double lastZLoss() const { return m_lastZLoss; }

    AlignedVector<T> params, grads; // padding between tensors stays 0
    // σReparam state per group: left/right vectors a (in), b (out), and the current σ.
    std::vector<std::vector<T>> sigmaLeft, sigmaRight;
    std::vector<T> sigmaValue;

    T* tensor(int index) { return params.data() + m_layout.tensors[index].offset; }
    const T* tensor(int index) const { return params.data() + m_layout.tensors[index].offset; }
    T* gradient(int index) { return grads.data() + m_layout.tensors[index].offset; }
    // The weight the forward pass uses: σReparam's Ŵ for reparametrised tensors, the parameter otherwise.
    const T* weight(int index) const {
        return (m_sigmaOn ? m_effective.data() : params.data()) + m_layout.tensors[index].offset;
    }
    // Value-residual weights (λ1, λ2) of layer l ≥ 1.
    std::pair<T, T> lambdas(int layer) const;

private:
    nn::MatrixRef<const T> weightBlock(int tensor, int col0, int cols) const;
    nn::MatrixRef<T> gradBlock(int tensor, int col0, int cols);
    void refreshEffectiveWeights();
    void forwardLayer(Workspace<T>& ws, int l);
    void backwardLayer(Workspace<T>& ws, int l);

    ModelConfig m_config;
    ParamLayout m_layout;
    bool m_sigmaOn = false;
    AlignedVector<T> m_effective; // Ŵ for σReparam groups (same layout as params)
    double m_lastZLoss = 0;
};

} // namespace attnscope
