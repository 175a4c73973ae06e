#pragma once
// The decoder-only transformer (nanoGPT-style pre-LN) with every mechanism as a config
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

// Which σ a forward pass uses (σReparam only). Training: σ = aᵀWb from the stored
// vectors, which the trainer advanced by one power step just before the pass; backward differentiates this
// σ with a, b constant. Evaluation: one more power step on copies of the vectors, σ from them, the stored
// vectors unchanged — what apple/ml-sigma-reparam's SpectralNormedWeight does in eval mode (the power step
// runs under no_grad, `u` is written back only when training). Validation, probes, evaluation and text
// probes use Evaluation.
enum class ForwardMode { Training, Evaluation };

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

    // Training by default (what the gradient checks differentiate); see ForwardMode.
    void setMode(ForwardMode mode) { m_mode = mode; }
    ForwardMode mode() const { return m_mode; }

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
    ForwardMode m_mode = ForwardMode::Training;
};

// Switches a model to `mode` for one scope and back (validation and probes inside a training run).
template <typename T> class ForwardModeScope {
public:
    ForwardModeScope(Model<T>& model, ForwardMode mode) : m_model(model), m_previous(model.mode()) {
        model.setMode(mode);
    }
    ~ForwardModeScope() { m_model.setMode(m_previous); }
    ForwardModeScope(const ForwardModeScope&) = delete;
    ForwardModeScope& operator=(const ForwardModeScope&) = delete;

private:
    Model<T>& m_model;
    ForwardMode m_previous;
};

} // namespace attnscope
