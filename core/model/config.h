#pragma once
// Model configuration: architecture and the mechanisms of the four papers plus stabiliser baselines.
// Each field cites the paper its formula and default come from.
#include <string>
#include <vector>

namespace attnscope {

enum class PositionScheme {
    Learned,    // learned absolute position embeddings P ∈ R^{T×C} (nanoGPT)
    Sinusoidal, // Vaswani et al. table, scaled by ModelConfig::sinusoidalScale
    None,       // NoPE: causal mask is the only position signal
    Alibi,      // Press et al.: per-head linear distance bias, no embedding (§3.1)
    Rope,       // rotary embedding on q and k (§1.1)
};

enum class ValueResidual {
    Off,
    Identity,  // ResFormer V'_n = 0.5·V_1 + 0.5·V_n (official code, §4.1)
    Constant,  // V'_n = λ1·V_1 + λ2·V_n with user constants
    Learnable, // λ1, λ2 trainable scalars per layer, init 0.5/0.5
    SVFormer,  // layers n ≥ 2 reuse V_1 and have no value projection
};

enum class SigmaReparam {
    Off,
    Fused,    // one σ and γ for the fused W_qkv (apple/ml-sigma-reparam with timm ViT)
    Separate, // separate σ, γ for the q, k and v column blocks of W_qkv
};

enum class GammaInit {
    One,    // γ = 1 (paper Appendix C, JAX speech code)
    Sigma0, // γ = σ(W_0) so that Ŵ = W at step 0 (PyTorch vision code)
};

// How attention scores become weights.
enum class AttentionFunction {
    Softmax, // A = softmax_row(S)
    Relu,    // A_ij = relu(S_ij)/n_i, n_i = keys query i sees (Guo et al. 2024): no sum-to-one, no sink
};

struct ModelConfig {
    int layers = 4;
    int heads = 4;
    int dModel = 128;
    int context = 128; // training sequence length T (= L in the ALiBi paper)
    int vocab = 96;    // set from the tokenizer before the model is built
    PositionScheme position = PositionScheme::Learned;
    // Sinusoidal table multiplier: an unscaled ±1 table swamps N(0, 0.02) token embeddings and stalls
    // training. 0.02·√2 gives the table the embeddings' RMS of 0.02.
    double sinusoidalScale = 0.028284271247461901;
    double ropeTheta = 10000.0;
    bool tiedHead = true;
    AttentionFunction attention = AttentionFunction::Softmax;

    // LS-attention (Hajra 2025, §2.3): heads [0, heads-globalHeads) are local with causal window `window`
    // (query sees itself and window-1 previous keys); the last globalHeads heads are full causal.
    bool lsAttention = false;
    int globalHeads = 1;
    int window = 32;

    // Value residual (Zhou et al., §4)
    ValueResidual valueResidual = ValueResidual::Off;
    double lambda1 = 0.5; // weight of V_1 (Constant mode; Learnable init)
    double lambda2 = 0.5; // weight of V_n

    // σReparam (Zhai et al., §5): Ŵ = γ/σ(W)·W on every linear layer (not a tied head)
    SigmaReparam sigmaReparam = SigmaReparam::Off;
    GammaInit gammaInit = GammaInit::One;

    // Stabiliser baselines (§6.1): per-head QK-LayerNorm (gain only, shared across heads) and z-loss.
    bool qkNorm = false;
    double zLoss = 0.0; // coefficient of (log Z)^2; Wortsman et al. use 1e-4

    double layerNormEps = 1e-5;
    double initStd = 0.02;

    int headDim() const { return dModel / heads; }
    int ffnDim() const { return 4 * dModel; }
    bool isLocalHead(int head) const { return lsAttention && head < heads - globalHeads; }
    bool hasValueProjection(int layer) const {
        return !(valueResidual == ValueResidual::SVFormer && layer > 0);
    }
    bool usesValueMix() const {
        return valueResidual == ValueResidual::Identity || valueResidual == ValueResidual::Constant ||
               valueResidual == ValueResidual::Learnable;
    }
    // Every violated constraint as one readable sentence; empty when the config is valid.
    std::vector<std::string> validate() const;
    // Short human-readable mechanism badges ("ALiBi", "LS w=32 g=1", "ResFormer", "σReparam", ...).
    std::vector<std::string> mechanismBadges() const;
};

// Names used in config files, the CLI and the run store.
const char* toString(PositionScheme p);
const char* toString(ValueResidual v);
const char* toString(SigmaReparam s);
const char* toString(GammaInit g);
const char* toString(AttentionFunction a);
bool parse(const std::string& s, PositionScheme& out);
bool parse(const std::string& s, ValueResidual& out);
bool parse(const std::string& s, SigmaReparam& out);
bool parse(const std::string& s, GammaInit& out);
bool parse(const std::string& s, AttentionFunction& out);

// ALiBi slopes for n heads exactly as ofirpress/attention_with_linear_biases get_slopes (§3.1).
std::vector<double> alibiSlopes(int heads);

} // namespace attnscope
