#include "core/model/workspace.h"

#include "core/nn/embedding.h"
#include "core/nn/rope.h"

namespace attnscope {

template <typename T>
Workspace<T>::Workspace(const ModelConfig& c, int batch, int length)
    : B(batch), Tlen(length), N(long(batch) * length) {
    const int C = c.dModel, H = c.heads, D = c.headDim(), F = c.ffnDim(), V = c.vocab;
    std::vector<nn::HeadSpec> heads(H);
    const std::vector<double> slopes = alibiSlopes(H);
    for (int h = 0; h < H; ++h) {
        heads[h].window = c.isLocalHead(h) ? c.window : 0;
        heads[h].slope = c.position == PositionScheme::Alibi ? slopes[h] : 0.0;
        heads[h].relu = c.attention == AttentionFunction::Relu;
    }
    attention = nn::AttentionLayout({B, Tlen, H, D}, heads);
    layers.resize(c.layers);

    // Two passes over the same list of requests: sizes first, then pointers into one allocation.
    std::vector<std::pair<T**, std::size_t>> requests;
    auto take = [&](T*& p, std::size_t n) { requests.emplace_back(&p, alignedCount<T>(n)); };
    const std::size_t NC = std::size_t(N) * C;
    for (int l = 0; l < c.layers; ++l) {
        Layer& L = layers[l];
        L = Layer{};
        take(L.xIn, NC);
        take(L.ln1, NC), take(L.ln1Mean, N), take(L.ln1Rstd, N);
        take(L.q, NC), take(L.k, NC);
        if (c.hasValueProjection(l)) take(L.v, NC);
        if (c.qkNorm) {
            take(L.qn, NC), take(L.qnMean, std::size_t(N) * H), take(L.qnRstd, std::size_t(N) * H);
            take(L.kn, NC), take(L.knMean, std::size_t(N) * H), take(L.knRstd, std::size_t(N) * H);
        }
        if (c.position == PositionScheme::Rope) take(L.qr, NC), take(L.kr, NC);
        if (c.usesValueMix() && l > 0) take(L.vAtt, NC);
        take(L.probs, attention.size());
        take(L.attOut, NC), take(L.xMid, NC);
        take(L.ln2, NC), take(L.ln2Mean, N), take(L.ln2Rstd, N);
        take(L.fc, std::size_t(N) * F), take(L.gelu, std::size_t(N) * F);
    }
    take(xFinal, NC);
    take(lnf, NC), take(lnfMean, N), take(lnfRstd, N);
    take(logits, std::size_t(N) * V), take(logZ, N);
    posTable = ropeCos = ropeSin = nullptr;
    if (c.position == PositionScheme::Sinusoidal) take(posTable, std::size_t(Tlen) * C);
    if (c.position == PositionScheme::Rope)
        take(ropeCos, std::size_t(Tlen) * (D / 2)), take(ropeSin, std::size_t(Tlen) * (D / 2));
    take(dx, NC), take(dln, NC), take(dAtt, NC), take(dq, NC), take(dk, NC), take(dv, NC);
    take(dqPre, NC), take(dkPre, NC), take(dvAtt, NC), take(dv1, NC);
    take(dfc, std::size_t(N) * F), take(dlogits, std::size_t(N) * V);

    std::size_t total = 0;
    for (auto& r : requests) total += r.second;
    m_storage.assign(total, T(0));
    std::size_t offset = 0;
    for (auto& r : requests) {
        *r.first = m_storage.data() + offset;
        offset += r.second;
    }
    // Aliases for switched-off stages keep the forward/backward code free of special cases.
    for (int l = 0; l < c.layers; ++l) {
        Layer& L = layers[l];
        if (!c.qkNorm) L.qn = L.q, L.kn = L.k;
        if (c.position != PositionScheme::Rope) L.qr = L.qn, L.kr = L.kn;
        if (!L.vAtt) L.vAtt = c.hasValueProjection(l) ? L.v : layers[0].v;
    }
    if (posTable) nn::sinusoidal_table(posTable, Tlen, C, c.sinusoidalScale);
    if (ropeCos) nn::rope_tables(ropeCos, ropeSin, Tlen, D, c.ropeTheta);
    inputs.assign(N, 0);
    targets.assign(N, -1);
}

template struct Workspace<float>;
template struct Workspace<double>;

} // namespace attnscope
