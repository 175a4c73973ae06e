#include "bench/ls_latency.h"

#include "core/eval/extrapolation.h"
#include "core/model/model.h"

#include <algorithm>

namespace attnscope::bench {

std::vector<LsLatencyRow> lsLatency(const std::vector<int>& lengths, int layers, int dModel, int repeats) {
    std::vector<LsLatencyRow> rows;
    for (const int length : lengths) {
        ModelConfig c;
        c.layers = layers, c.heads = 8, c.dModel = dModel, c.vocab = 96, c.context = length;
        c.position = PositionScheme::None;
        Model<float> full(c);
        c.lsAttention = true, c.window = 32, c.globalHeads = 1;
        Model<float> ls(c);
        Rng rng(1);
        full.initialize(rng);
        ls.params = full.params; // the same weights (LS adds none): only the attention pattern differs
        // Interleaved repeats, so a slow phase of a shared machine hits both alike.
        std::vector<double> f, l;
        for (int r = 0; r < repeats; ++r) {
            f.push_back(forwardLatencyMs(full, length, 1));
            l.push_back(forwardLatencyMs(ls, length, 1));
        }
        std::sort(f.begin(), f.end()), std::sort(l.begin(), l.end());
        rows.push_back({length, f[f.size() / 2], l[l.size() / 2]});
    }
    return rows;
}

} // namespace attnscope::bench
