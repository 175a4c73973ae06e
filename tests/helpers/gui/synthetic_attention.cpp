#include "helpers/gui/synthetic_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace attnscope {

namespace {

enum class Role { PreviousToken, Sink, Recency, Diffuse, SameToken, Self };

// Content logit of (query i, key j) for a role; noise keeps maps from looking computer-drawn.
double roleLogit(Role r, int i, int j, const std::vector<std::int32_t>& tok) {
    switch (r) {
    case Role::PreviousToken:
        return j == i - 1 ? 4.5 : 0.0;
    case Role::Sink:
        return j == 0 ? 3.5 : 0.0;
    case Role::Recency:
        return -0.35 * (i - j);
    case Role::Diffuse:
        return 0.0;
    case Role::SameToken:
        return j < i && tok[std::size_t(j)] == tok[std::size_t(i)] ? 3.0 : 0.0;
    case Role::Self:
        return j == i ? 3.0 : 0.0;
    }
    return 0.0;
}

} // namespace

SnapshotPtr makeSyntheticSnapshot(const ModelConfig& cfg, const std::vector<std::int32_t>& tokens, int step,
                                  unsigned seed, double sharpness) {
    auto s = std::make_shared<ProbeSnapshot>();
    const int L = cfg.layers, H = cfg.heads, T = int(tokens.size());
    s->step = step;
    s->layers = L;
    s->heads = H;
    s->length = T;
    s->tokens = tokens;
    const std::size_t cells = std::size_t(T) * std::size_t(T), nh = std::size_t(L) * std::size_t(H);
    s->attention.assign(nh * cells, 0.0f);
    s->logits.assign(nh * cells, std::numeric_limits<float>::quiet_NaN());
    for (auto* v :
         {&s->entropy, &s->normEntropy, &s->maxLogit, &s->meanRowMax, &s->sinkScore, &s->meanDistance})
        v->assign(nh, 0.0f);
    s->keyProfile.assign(nh * std::size_t(T), 0.0f);
    const std::vector<double> slopes =
        cfg.position == PositionScheme::Alibi ? alibiSlopes(H) : std::vector<double>(std::size_t(H), 0.0);

    std::mt19937 rng(seed);
    std::normal_distribution<double> noise(0.0, 0.6);
    std::vector<double> score(static_cast<std::size_t>(T));
    int sinks = 0;
    for (int l = 0; l < L; ++l)
        for (int h = 0; h < H; ++h) {
            const std::size_t hi = s->headIndex(l, h);
            const Role role = Role((l * H + h + l) % 6);
            const int window = cfg.isLocalHead(h) ? cfg.window : T;
            const double sharp = sharpness * (0.8 + 0.15 * l); // deeper layers a little sharper
            float* A = s->attention.data() + hi * cells;
            float* Z = s->logits.data() + hi * cells;
            double ent = 0, normEnt = 0, dist = 0, rowMaxSum = 0, maxZ = -1e30;
            int normRows = 0;
            std::vector<double> keyMass(std::size_t(T), 0.0);
            std::vector<int> keySeen(std::size_t(T), 0);
            for (int i = 0; i < T; ++i) {
                const int j0 = std::max(0, i - window + 1);
                double mx = -1e30, rowMax = -1e30;
                for (int j = j0; j <= i; ++j) {
                    const double z = sharp * (roleLogit(role, i, j, tokens) + noise(rng));
                    Z[std::size_t(i) * T + j] = float(z);
                    rowMax = std::max(rowMax, z);
                    score[std::size_t(j)] = z - slopes[std::size_t(h)] * (i - j);
                    mx = std::max(mx, score[std::size_t(j)]);
                }
                double sum = 0;
                for (int j = j0; j <= i; ++j)
                    sum += (score[std::size_t(j)] = std::exp(score[std::size_t(j)] - mx));
                double hRow = 0;
                for (int j = j0; j <= i; ++j) {
                    const double a = score[std::size_t(j)] / sum;
                    A[std::size_t(i) * T + j] = float(a);
                    if (a > 0) hRow -= a * std::log(a);
                    dist += a * (i - j);
                    keyMass[std::size_t(j)] += a;
                    ++keySeen[std::size_t(j)];
                }
                const int n = i - j0 + 1;
                ent += hRow;
                if (n >= 2) {
                    normEnt += hRow / std::log(double(n));
                    ++normRows;
                }
                rowMaxSum += rowMax;
                maxZ = std::max(maxZ, rowMax);
            }
            s->entropy[hi] = float(ent / T);
            s->normEntropy[hi] = normRows ? float(normEnt / normRows) : 0.0f;
            s->maxLogit[hi] = float(maxZ);
            s->meanRowMax[hi] = float(rowMaxSum / T);
            s->meanDistance[hi] = float(dist / T);
            for (int j = 0; j < T; ++j)
                s->keyProfile[hi * T + std::size_t(j)] =
                    keySeen[std::size_t(j)] ? float(keyMass[std::size_t(j)] / keySeen[std::size_t(j)]) : 0.0f;
            s->sinkScore[hi] = s->keyProfile[hi * T];
            sinks += s->sinkScore[hi] > 0.3f;
        }
    s->sinkRate = nh ? float(sinks) / float(nh) : 0.0f;
    return s;
}

} // namespace attnscope
