#pragma once
// Zhai et al. (ICML 2023), Theorem 3.1, applied to every causal row over the keys it sees, so that the
// head's bound averages like its measured entropy and is a true lower bound of it.
//
// The theorem: if a row's logits a (n entries) satisfy ‖a‖₂ ≤ r, the entropy of softmax(a) is at least
//   f(r, n) = log(1 + (n−1)β) + r·√(n(n−1))·β / (1 + (n−1)β),  β = exp(−r·√(n/(n−1)))
// (the entropy of "one key on top, n−1 keys at the largest gap the norm allows"; f(0, n) = ln n, f → 0 as
// r → ∞; f(r, 1) = 0). Theorem 3.1 bounds ‖a‖ by σ(W_q W_kᵀ)·‖XXᵀ‖₂; per row we use the tighter, still
// valid r_i = ‖W̃_q W̃_kᵀ‖₂/√D · ‖x̃_i‖ · ‖X̃_{V_i}‖₂, where x̃ = [x, 1] carries the q/k biases into the
// bilinear form (z_ij = x̃_i W̃_q W̃_kᵀ x̃_jᵀ/√D exactly) and X̃_{V_i} holds the rows of the keys query i sees.
// ALiBi adds −m(i−j) to the row; softmax ignores a constant shift, so the bias adds its centred norm
// m·√(n(n²−1)/12) to r_i. No norm is ever underestimated (eigenvalue solvers, not power iteration; between
// the solved rows of a global head, proven upper bounds), since an underestimated norm would raise f above
// the truth.
#include <string>
#include <vector>

namespace attnscope {

struct ProbeSnapshot;

struct BoundHead {
    int window = 0;     // 0: full causal; w: the query sees itself and w−1 previous keys
    double slope = 0.0; // ALiBi slope m_h (0: none)
};

// λ_max of a symmetric n×n matrix (row-major), as the bound uses it: tridiagonalisation and bisection, never
// more than a few ulps below the true value (the callers add a margin).
double largestSymmetricEigenvalue(const double* rowMajor, int n);

// f(r, n) above; 0 for n = 1, NaN for a non-finite r.
double entropyFloor(double r, int n);

// How ‖X̃_{V_i}‖₂ is obtained for a global head's rows: Interpolated solves every 8th row exactly and uses
// two proven upper bounds in between (entropy_bound.cpp, prefixKeyNorms; ≈ 8× cheaper, the bound stays a
// bound); ExactEveryRow solves every row (O(T⁴) a layer; tests compare the two).
enum class KeyNorms { Interpolated, ExactEveryRow };

// Per head: (1/T) Σ_i f(r_i, n_i). X: the layer's normalised input (T×C, row-major); qkvW: C×ldw with the
// head's W_q in columns [h·D, (h+1)·D) and W_k in [C + h·D, …); qkvB: 3C biases (may be null).
std::vector<float> causalEntropyBounds(const float* X, int T, int C, const float* qkvW, int ldw,
                                       const float* qkvB, int D, const std::vector<BoundHead>& heads,
                                       KeyNorms keyNorms = KeyNorms::Interpolated);

// The probe records the per-head bound as snapshot scalars named "entropy_bound_causal/l<layer>.h<head>"
// (docs/run-format.md); runs recorded before it have none.
std::string causalBoundScalarName(int layer, int head);
// The recorded bounds [layer·heads + head]; empty when the snapshot has none (an older run, QK-norm, RoPE).
std::vector<float> recordedCausalBounds(const ProbeSnapshot& snapshot);

} // namespace attnscope
