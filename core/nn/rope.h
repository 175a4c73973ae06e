#pragma once
// Rotary position embedding on q or k: for the pair (2i, 2i+1) of every head at position
// p, rotate by p·θ_i with θ_i = base^{−2i/D}. x: (B·T, C) with H heads of width D. Backward rotates by
// −p·θ_i.
namespace attnscope::nn {

// cos/sin tables (T, D/2).
template <typename T> void rope_tables(T* cosTable, T* sinTable, int Tlen, int D, double base);

// y = R(±pθ) x. direction +1 forward, −1 backward (the rotation is orthogonal: its inverse is its transpose).
template <typename T>
void rope_apply(T* y, const T* x, const T* cosTable, const T* sinTable, int B, int Tlen, int H, int D,
                int direction);

} // namespace attnscope::nn
