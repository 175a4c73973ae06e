#pragma once
// Token embedding lookup plus an optional additive position table (learned P or scaled sinusoidal).
//   x[b,t,:] = E[tok[b,t],:] + pos[t,:]   with x (B·T, C), E (V, C), pos (T, C) or nullptr.
#include <cstdint>

namespace attnscope::nn {

template <typename T>
void embedding_forward(T* x, const std::int32_t* tokens, const T* table, const T* pos, int B, int Tlen,
                       int C);

// dE[tok] += dx (scatter-add; threads own column blocks so no two threads touch one element);
// dpos[t] += Σ_b dx[b,t] when dpos is not null.
template <typename T>
void embedding_backward(T* dtable, T* dpos, const T* dx, const std::int32_t* tokens, int B, int Tlen, int C);

// Sinusoidal table (Vaswani et al.): PE[p,2i] = sin(p/10000^{2i/C}), PE[p,2i+1] = cos(·), times scale.
template <typename T> void sinusoidal_table(T* pe, int Tlen, int C, double scale);

} // namespace attnscope::nn
