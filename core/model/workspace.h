#pragma once
// Activations and gradient scratch of one (config, batch, length): a single allocation carved into named
// buffers (shapes in comments). Kept between steps; a model can own several (training, probe, evaluation).
#include "core/model/config.h"
#include "core/nn/attention.h"
#include "core/util/aligned.h"

#include <cstdint>
#include <vector>

namespace attnscope {

template <typename T> struct Workspace {
    struct Layer {
        T* xIn;                     // (N, C) residual stream entering the layer
        T *ln1, *ln1Mean, *ln1Rstd; // (N, C), (N), (N)
        T *q, *k, *v;               // (N, C) projections (v null for SVFormer layers ≥ 2)
        T *qn, *qnMean, *qnRstd;    // QK-norm of q: (N, C), (N·H), (N·H); aliases q when off
        T *kn, *knMean, *knRstd;    // same for k
        T *qr, *kr;                 // after RoPE (N, C); alias qn/kn when off
        T* vAtt;                    // values attention uses: v, ResFormer mix (own buffer) or V_1
        T* probs;                   // attention probabilities (AttentionLayout)
        T* attOut;                  // (N, C) merged head outputs
        T* xMid;                    // (N, C) residual after attention
        T *ln2, *ln2Mean, *ln2Rstd; // (N, C), (N), (N)
        T *fc, *gelu;               // (N, F)
    };

    Workspace(const ModelConfig& config, int batch, int length);
    Workspace(const Workspace&) = delete;
    Workspace& operator=(const Workspace&) = delete;

    int B, Tlen;
    long N; // B·T rows
    nn::AttentionLayout attention;
    std::vector<Layer> layers;
    T* xFinal;                  // (N, C)
    T *lnf, *lnfMean, *lnfRstd; // (N, C), (N), (N)
    T *logits, *logZ;           // (N, V), (N)
    T* posTable;                // (T, C) sinusoidal table, or null
    T *ropeCos, *ropeSin;       // (T, D/2) or null
    // Gradient scratch, reused by every layer.
    T *dx, *dln, *dAtt, *dq, *dk, *dv, *dqPre, *dkPre, *dvAtt, *dv1, *dfc, *dlogits;
    std::vector<std::int32_t> inputs, targets; // (N)
    long scored = 0;                           // scored targets of the last forward

private:
    AlignedVector<T> m_storage;
};

} // namespace attnscope
