#pragma once
// The layers imported models need beside the engine's own (core/nn: LayerNorm, tanh GELU, attention), as
// transformers computes them. x, y: (rows, C) row-major float32.
namespace attnscope::hf {

// LlamaRMSNorm: y = w ⊙ x / √(mean(x²) + ε) (Zhang & Sennrich 2019, eq. 4; no mean subtraction, no bias).
void rmsnorm(float* y, const float* x, const float* weight, int rows, int C, float eps);

// Rotary embedding in the rotate-half convention of GPT-NeoX and Llama (Su et al. 2021, eq. 34, with the
// dimension pairs (i, i + r/2) instead of (2i, 2i+1)): for each head of width `headDim` at position p the
// first `rotaryDims` = r dimensions x are replaced by x·cos(pθ) + rotate_half(x)·sin(pθ), θ_i = base^(−2i/r),
// rotate_half(x) = (−x[r/2:], x[:r/2]); the remaining dimensions pass unchanged. x: (T, heads·headDim) with
// leading dimension ld.
void rotateHalf(float* x, int ld, int T, int heads, int headDim, int rotaryDims, double base);

// In place. GeLU (erf form) 0.5·u·(1 + erf(u/√2)); SiLU u·σ(u); ReLU.
void geluErf(float* u, long n);
void silu(float* u, long n);
void relu(float* u, long n);

} // namespace attnscope::hf
