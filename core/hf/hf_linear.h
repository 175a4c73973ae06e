#pragma once
// Y = X·W (+ b) for a weight in its stored type and layout (hf_checkpoint.h: nn.Linear's (out, in) or
// Conv1D's (in, out)), in float32. Output columns are cut into fixed blocks: each block converts its slice of
// W to float32 once per row block (F16 and BF16 weights are never widened whole) and multiplies with the one
// GEMM (core/nn/gemm.h). Blocks depend only on the shapes, so results do not depend on the thread count.
#include "core/hf/hf_checkpoint.h"

#include <vector>

namespace attnscope::hf {

// y (rows, outCount) with leading dimension ldy = X (rows, w.in) · W[:, outBegin : outBegin + outCount]
// + bias[outBegin : …] (bias may be null). outCount < 0: all of w.out.
void linear(float* y, int ldy, const float* x, int rows, const Matrix& w, const TensorView* bias,
            int outBegin = 0, int outCount = -1);

// W as a dense float32 (in, out) matrix (for the probe's per-head weight metrics).
std::vector<float> denseInOut(const Matrix& w);
// A 1-D tensor as float32 (empty for null).
std::vector<float> vector32(const TensorView* t);

} // namespace attnscope::hf
