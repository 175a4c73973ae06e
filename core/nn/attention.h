#pragma once
// Causal multi-head attention with per-head mask and bias.
//   q, k, v, out: (B·T, C) row-major, head h in columns [h·D, (h+1)·D).
//   Per head: S_ij = q_i·k_j/√D − m_h·(i − j) for visible j, A = softmax_row(S), O = A V.
//   ReLU heads replace the softmax by A_ij = relu(S_ij)/n_i, n_i = number of keys query i sees (Guo et al.
//   2024, arXiv 2410.13835, §4 "ReLU attention"): rows need not sum to 1, so a query
//   can attend to nothing and needs no sink.
//   A global head sees keys 0..i; a local head (window w) sees keys i−w+1..i and stores and computes only
//   that band: O(T·w) time and memory (LS-attention, Hajra 2025). ALiBi inside a window uses −m·|i − j| =
//   −m·(i − j).
#include <cstddef>
#include <vector>

namespace attnscope::nn {

struct HeadSpec {
    int window = 0;     // 0: full causal (global head); w > 0: local head seeing w keys
    double slope = 0.0; // ALiBi slope m_h (0: no bias)
    bool relu = false;  // relu(S)/n_i instead of softmax(S)
};

struct AttentionShape {
    int B = 0, T = 0, H = 0, D = 0;
    int C() const { return H * D; }
};

// Probability storage (attention weights A; for ReLU heads not normalised): for each b, heads in order; a
// global head holds T×T (row-major, exact 0 above the diagonal), a local head holds T×w (row i, slot s ↔ key
// i−w+1+s; slots before key 0 are 0).
class AttentionLayout {
public:
    AttentionLayout() = default;
    AttentionLayout(const AttentionShape& shape, const std::vector<HeadSpec>& heads);
    std::size_t size() const { return m_perBatch * std::size_t(m_shape.B); }
    std::size_t offset(int b, int h) const { return std::size_t(b) * m_perBatch + m_headOffset[h]; }
    int width(int h) const { return m_heads[h].window > 0 ? m_heads[h].window : m_shape.T; }
    const AttentionShape& shape() const { return m_shape; }
    const std::vector<HeadSpec>& heads() const { return m_heads; }

private:
    AttentionShape m_shape;
    std::vector<HeadSpec> m_heads;
    std::vector<std::size_t> m_headOffset;
    std::size_t m_perBatch = 0;
};

template <typename T>
void attention_forward(T* out, T* probs, const T* q, const T* k, const T* v, const AttentionLayout& layout);

// Overwrites dq, dk, dv.
template <typename T>
void attention_backward(T* dq, T* dk, T* dv, const T* dout, const T* out, const T* probs, const T* q,
                        const T* k, const T* v, const AttentionLayout& layout);

// Dense T×T copy of one head's probabilities (exact 0 where masked), for probes and tests.
template <typename T>
void attention_dense(T* dense, const T* probs, const AttentionLayout& layout, int b, int h);

} // namespace attnscope::nn
