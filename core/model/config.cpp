#include "core/model/config.h"

#include <cmath>
#include <cstdio>

namespace attnscope {

namespace {
template <typename E> struct EnumName {
    E value;
    const char* name;
};

constexpr EnumName<PositionScheme> kPositionNames[] = {{PositionScheme::Learned, "learned"},
                                                       {PositionScheme::Sinusoidal, "sinusoidal"},
                                                       {PositionScheme::None, "none"},
                                                       {PositionScheme::Alibi, "alibi"},
                                                       {PositionScheme::Rope, "rope"}};
constexpr EnumName<ValueResidual> kValueNames[] = {{ValueResidual::Off, "off"},
                                                   {ValueResidual::Identity, "identity"},
                                                   {ValueResidual::Constant, "constant"},
                                                   {ValueResidual::Learnable, "learnable"},
                                                   {ValueResidual::SVFormer, "svformer"}};
constexpr EnumName<SigmaReparam> kSigmaNames[] = {
    {SigmaReparam::Off, "off"}, {SigmaReparam::Fused, "fused"}, {SigmaReparam::Separate, "separate"}};
constexpr EnumName<GammaInit> kGammaNames[] = {{GammaInit::One, "one"}, {GammaInit::Sigma0, "sigma0"}};
constexpr EnumName<AttentionFunction> kAttentionNames[] = {{AttentionFunction::Softmax, "softmax"},
                                                           {AttentionFunction::Relu, "relu"}};

template <typename E, std::size_t N> const char* nameOf(const EnumName<E> (&table)[N], E v) {
    for (const auto& e : table)
        if (e.value == v) return e.name;
    return "?";
}
template <typename E, std::size_t N>
bool valueOf(const EnumName<E> (&table)[N], const std::string& s, E& out) {
    for (const auto& e : table)
        if (s == e.name) {
            out = e.value;
            return true;
        }
    return false;
}

std::string fmt(const char* format, double a, double b = 0) {
    char buf[256];
    std::snprintf(buf, sizeof buf, format, a, b);
    return buf;
}
} // namespace

const char* toString(PositionScheme p) {
    return nameOf(kPositionNames, p);
}
const char* toString(ValueResidual v) {
    return nameOf(kValueNames, v);
}
const char* toString(SigmaReparam s) {
    return nameOf(kSigmaNames, s);
}
const char* toString(GammaInit g) {
    return nameOf(kGammaNames, g);
}
const char* toString(AttentionFunction a) {
    return nameOf(kAttentionNames, a);
}
bool parse(const std::string& s, AttentionFunction& out) {
    return valueOf(kAttentionNames, s, out);
}
bool parse(const std::string& s, PositionScheme& out) {
    return valueOf(kPositionNames, s, out);
}
bool parse(const std::string& s, ValueResidual& out) {
    return valueOf(kValueNames, s, out);
}
bool parse(const std::string& s, SigmaReparam& out) {
    return valueOf(kSigmaNames, s, out);
}
bool parse(const std::string& s, GammaInit& out) {
    return valueOf(kGammaNames, s, out);
}

std::vector<std::string> ModelConfig::validate() const {
    std::vector<std::string> errors;
    auto require = [&](bool ok, const std::string& message) {
        if (!ok) errors.push_back(message);
    };
    require(layers >= 1 && layers <= 64, fmt("layers must be between 1 and 64 (got %g).", layers));
    require(heads >= 1 && heads <= 64, fmt("heads must be between 1 and 64 (got %g).", heads));
    require(dModel >= 2 && dModel <= 4096, fmt("d_model must be between 2 and 4096 (got %g).", dModel));
    if (heads >= 1 && dModel >= 1)
        require(dModel % heads == 0,
                fmt("heads (%g) must divide d_model (%g) so every head has the same width.", heads, dModel));
    require(context >= 2 && context <= 8192, fmt("context must be between 2 and 8192 (got %g).", context));
    require(vocab >= 2, fmt("vocabulary must have at least 2 tokens (got %g).", vocab));
    if (position == PositionScheme::Rope && heads >= 1 && dModel % heads == 0)
        require(headDim() % 2 == 0,
                fmt("RoPE rotates pairs of dimensions, so the head dimension must be even (got %g).",
                    double(headDim())));
    require(std::isfinite(sinusoidalScale) && sinusoidalScale > 0,
            "sinusoidal_scale must be a positive number.");
    require(std::isfinite(ropeTheta) && ropeTheta > 1, "rope_theta must be greater than 1.");
    if (lsAttention) {
        require(
            globalHeads >= 0 && globalHeads <= heads,
            fmt("LS-attention global heads must be between 0 and heads (%g); got %g.", heads, globalHeads));
        require(window >= 1, fmt("LS-attention window must be at least 1 (got %g).", window));
        require(window <= context,
                fmt("LS-attention window (%g) must not exceed the context (%g).", window, context));
    }
    if (valueResidual == ValueResidual::Constant || valueResidual == ValueResidual::Learnable)
        require(std::isfinite(lambda1) && std::isfinite(lambda2), "value-residual lambdas must be finite.");
    if (valueResidual != ValueResidual::Off)
        require(layers >= 2, "value residual (ResFormer/SVFormer) needs at least 2 layers.");
    require(std::isfinite(zLoss) && zLoss >= 0, fmt("z_loss must be ≥ 0 (got %g).", zLoss));
    require(std::isfinite(layerNormEps) && layerNormEps > 0, "layer_norm_eps must be positive.");
    require(std::isfinite(initStd) && initStd > 0, "init_std must be positive.");
    return errors;
}

std::vector<std::string> ModelConfig::mechanismBadges() const {
    std::vector<std::string> b;
    switch (position) {
    case PositionScheme::Learned:
        b.push_back("learned PE");
        break;
    case PositionScheme::Sinusoidal:
        b.push_back("sinusoidal PE");
        break;
    case PositionScheme::None:
        b.push_back("NoPE");
        break;
    case PositionScheme::Alibi:
        b.push_back("ALiBi");
        break;
    case PositionScheme::Rope:
        b.push_back("RoPE");
        break;
    }
    if (attention == AttentionFunction::Relu) b.push_back("ReLU attention");
    if (lsAttention) b.push_back("LS w=" + std::to_string(window) + " g=" + std::to_string(globalHeads));
    switch (valueResidual) {
    case ValueResidual::Off:
        break;
    case ValueResidual::Identity:
        b.push_back("ResFormer");
        break;
    case ValueResidual::Constant:
        b.push_back("ResFormer λ const");
        break;
    case ValueResidual::Learnable:
        b.push_back("ResFormer λ learn");
        break;
    case ValueResidual::SVFormer:
        b.push_back("SVFormer");
        break;
    }
    if (sigmaReparam != SigmaReparam::Off)
        b.push_back(sigmaReparam == SigmaReparam::Fused ? "σReparam" : "σReparam (q,k,v)");
    if (qkNorm) b.push_back("QK-norm");
    if (zLoss > 0) b.push_back("z-loss");
    return b;
}

// Press et al., ofirpress/attention_with_linear_biases, fairseq/models/transformer.py get_slopes():
// for a power of two n: start = 2^(-2^-(log2 n - 3)) = 2^(-8/n), slopes start^1..start^n; otherwise the
// slopes of the closest smaller power of two p followed by every other slope of 2p, truncated to n − p.
std::vector<double> alibiSlopes(int heads) {
    auto powerOfTwo = [](int n) {
        std::vector<double> s(n);
        const double start = std::pow(2.0, -std::pow(2.0, -(std::log2(double(n)) - 3.0)));
        for (int i = 0; i < n; ++i) s[i] = std::pow(start, i + 1);
        return s;
    };
    if (heads <= 0) return {};
    const double l = std::log2(double(heads));
    if (l == std::floor(l)) return powerOfTwo(heads);
    const int p = 1 << int(std::floor(l));
    std::vector<double> slopes = powerOfTwo(p);
    const std::vector<double> extra = powerOfTwo(2 * p);
    for (int i = 0; i < heads - p; ++i) slopes.push_back(extra[2 * i]);
    return slopes;
}

} // namespace attnscope
