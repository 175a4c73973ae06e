#pragma once
// LS-attention against full attention at inference: forward latency of one sequence (batch 1) of
// the same model with all heads global (full causal MHSA) and with LS-attention (heads − 1 local heads of
// window 32, 1 global; Hajra 2025), at several lengths.
#include <vector>

namespace attnscope::bench {

struct LsLatencyRow {
    int length;
    double fullMs, lsMs; // medians
};

// Model: `layers` layers, 8 heads, d_model `dModel`, NoPE (so any length runs), vocab 96.
std::vector<LsLatencyRow> lsLatency(const std::vector<int>& lengths, int layers, int dModel, int repeats);

} // namespace attnscope::bench
