#include "core/probe/entropy_bound.h"

#include "core/probe/metrics.h"
#include "core/probe/snapshot.h"

#include <Eigen/Dense>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <vector>

namespace attnscope {

namespace {
using MatD = Eigen::MatrixXd;
using RowMatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapF = Eigen::Map<const RowMatF, Eigen::Unaligned, Eigen::OuterStride<>>;

// Eigen's solvers are accurate to a few ulps of the largest eigenvalue; this margin keeps every norm an
// upper estimate, so that rounding can only loosen the bound, never break it.
constexpr double kNormMargin = 1.0 + 1e-9;

// λ_max of a symmetric matrix: Householder tridiagonalisation (backward stable, as inside Eigen's
// SelfAdjointEigenSolver), then bisection on Sturm counts for the largest eigenvalue alone, returning the
// upper end of the final bracket. The solver's QR sweeps for all n eigenvalues took three quarters of its
// time; this is ≈ 3× faster at n = 129 and agrees with it to ~1e-14 relative (kNormMargin covers that).
double largestEigenvalue(const MatD& symmetric) {
    const int n = int(symmetric.rows());
    if (n == 0) return 0;
    if (n == 1) return std::max(0.0, symmetric(0, 0));
    const Eigen::Tridiagonalization<MatD> tri(symmetric);
    const Eigen::VectorXd d = tri.diagonal();
    const Eigen::VectorXd e2 = tri.subDiagonal().array().square();
    double lo = std::numeric_limits<double>::max(), hi = std::numeric_limits<double>::lowest();
    for (int i = 0; i < n; ++i) { // Gershgorin: every eigenvalue lies in [lo, hi]
        const double r = (i > 0 ? std::sqrt(e2(i - 1)) : 0.0) + (i < n - 1 ? std::sqrt(e2(i)) : 0.0);
        lo = std::min(lo, d(i) - r), hi = std::max(hi, d(i) + r);
    }
    const double scale = std::max({std::abs(lo), std::abs(hi), std::numeric_limits<double>::min()});
    const double pivmin = scale * std::numeric_limits<double>::min();
    hi += scale * 4 * std::numeric_limits<double>::epsilon();
    // Eigenvalues below x = negative pivots of the LDLᵀ factorisation of T − xI (Sturm count).
    const auto countBelow = [&](double x) {
        int count = 0;
        double q = 1;
        for (int i = 0; i < n; ++i) {
            q = d(i) - x - (i > 0 ? e2(i - 1) / q : 0.0);
            if (std::abs(q) < pivmin) q = -pivmin;
            count += q < 0;
        }
        return count;
    };
    for (int it = 0; it < 200 && hi - lo > 2 * std::numeric_limits<double>::epsilon() * scale; ++it) {
        const double mid = 0.5 * (lo + hi);
        (countBelow(mid) == n ? hi : lo) = mid;
    }
    return std::max(0.0, hi);
}

// ‖P Qᵀ‖₂ for tall P, Q ((C+1)×D): with P = U_p R_p and Q = U_q R_q (thin QR), P Qᵀ = U_p (R_p R_qᵀ) U_qᵀ,
// so the norm is that of the D×D product.
double productNorm(const MatD& P, const MatD& Q) {
    const int D = int(P.cols());
    const MatD Rp = Eigen::HouseholderQR<MatD>(P).matrixQR().topRows(D).triangularView<Eigen::Upper>();
    const MatD Rq = Eigen::HouseholderQR<MatD>(Q).matrixQR().topRows(D).triangularView<Eigen::Upper>();
    const MatD M = Rp * Rq.transpose();
    return std::sqrt(largestEigenvalue(M * M.transpose())); // σ_max(M)² = λ_max(M Mᵀ)
}
// One eigen-solve per row over its visible keys (a local head's rows see at most w of them).
Eigen::VectorXd windowKeyNorms(const MatD& gram, int window) {
    const int T = int(gram.rows());
    Eigen::VectorXd norms(T);
    for (int i = 0; i < T; ++i) {
        const int n = visibleKeys(i, window);
        norms(i) = std::sqrt(largestEigenvalue(gram.block(i - n + 1, i - n + 1, n, n))) * kNormMargin;
    }
    return norms;
}

// A global head's row i sees the prefix {0..i}; an eigen-solve per row costs O(i³), O(T⁴) a layer (≈ 50 ms
// at T = 128: most of a recording step). Solved exactly at rows 0…kExactHead−1, every kStride-th
// row and the last; between two solved rows a < i < b the value is min(λ_b, λ_a + Σ_{a<j≤i} ‖x̃_j‖²), both
// upper bounds of λ_i = ‖X̃_{V_i}‖₂²: λ_i ≤ λ_b by Cauchy interlacing (G_i is a principal block of G_b), and
// λ_i ≤ λ_a + Σ‖x̃_j‖² by Weyl's inequality (X̃_iᵀX̃_i = X̃_aᵀX̃_a + Σ x̃_j x̃_jᵀ, each x̃_j x̃_jᵀ of norm ‖x̃_j‖²).
// So the entropy bound stays a bound: exact at the solved rows, slightly looser between them.
Eigen::VectorXd prefixKeyNorms(const MatD& gram) {
    constexpr int kExactHead = 8, kStride = 8;
    const int T = int(gram.rows());
    std::vector<int> solved;
    for (int i = 0; i < T; ++i)
        if (i < kExactHead || (i + 1) % kStride == 0 || i == T - 1) solved.push_back(i);
    Eigen::VectorXd lambda = Eigen::VectorXd::Constant(T, std::numeric_limits<double>::quiet_NaN());
    for (int i : solved) lambda(i) = largestEigenvalue(gram.topLeftCorner(i + 1, i + 1));
    for (std::size_t k = 0; k + 1 < solved.size(); ++k) {
        const int a = solved[k], b = solved[k + 1];
        double weyl = lambda(a);
        for (int i = a + 1; i < b; ++i) {
            weyl += gram(i, i);
            lambda(i) = std::min(lambda(b), weyl);
        }
    }
    Eigen::VectorXd norms(T);
    for (int i = 0; i < T; ++i) norms(i) = std::sqrt(lambda(i)) * kNormMargin;
    return norms;
}
} // namespace

double largestSymmetricEigenvalue(const double* rowMajor, int n) {
    return largestEigenvalue(Eigen::Map<const MatD>(rowMajor, n, n).transpose());
}

double entropyFloor(double r, int n) {
    if (!std::isfinite(r)) return std::numeric_limits<double>::quiet_NaN();
    if (n < 2) return 0.0;
    return entropyLowerBound(r, n);
}

std::vector<float> causalEntropyBounds(const float* X, int T, int C, const float* qkvW, int ldw,
                                       const float* qkvB, int D, const std::vector<BoundHead>& heads,
                                       KeyNorms keyNormMode) {
    MatD Xa(T, C + 1);
    Xa.leftCols(C) = MapF(X, T, C, Eigen::OuterStride<>(C)).cast<double>();
    Xa.col(C).setOnes();
    const MatD gram = Xa * Xa.transpose();
    Eigen::VectorXd rowNorm(T);
    for (int i = 0; i < T; ++i) rowNorm(i) = std::sqrt(gram(i, i)) * kNormMargin;

    // ‖X̃_{V_i}‖₂ for every row, per distinct window: the square root of the largest eigenvalue of the
    // visible rows' Gram block (n×n, a principal block of X̃X̃ᵀ).
    std::map<int, Eigen::VectorXd> keyNorms;
    for (const BoundHead& head : heads) {
        if (keyNorms.count(head.window)) continue;
        const bool prefix = head.window == 0 || head.window >= T; // V_i = {0..i} for every row
        keyNorms.emplace(head.window, prefix && keyNormMode == KeyNorms::Interpolated
                                          ? prefixKeyNorms(gram)
                                          : windowKeyNorms(gram, head.window));
    }

    const int H = int(heads.size());
    std::vector<float> bounds(H);
    for (int h = 0; h < H; ++h) {
        MatD Wq(C + 1, D), Wk(C + 1, D);
        Wq.topRows(C) = MapF(qkvW + h * D, C, D, Eigen::OuterStride<>(ldw)).cast<double>();
        Wk.topRows(C) = MapF(qkvW + C + h * D, C, D, Eigen::OuterStride<>(ldw)).cast<double>();
        for (int d = 0; d < D; ++d) {
            Wq(C, d) = qkvB ? double(qkvB[h * D + d]) : 0.0;
            Wk(C, d) = qkvB ? double(qkvB[C + h * D + d]) : 0.0;
        }
        const double logitNorm = productNorm(Wq, Wk) * kNormMargin / std::sqrt(double(D));
        const Eigen::VectorXd& keyNorm = keyNorms.at(heads[h].window);
        double sum = 0;
        for (int i = 0; i < T; ++i) {
            const int n = visibleKeys(i, heads[h].window);
            // Centred norm of the ALiBi row −m·(i−j), j over the n visible keys: m·√(n(n²−1)/12).
            const double bias = heads[h].slope * std::sqrt(double(n) * (double(n) * n - 1) / 12.0);
            sum += entropyFloor(logitNorm * rowNorm(i) * keyNorm(i) + bias, n);
        }
        bounds[h] = float(sum / T);
    }
    return bounds;
}

std::string causalBoundScalarName(int layer, int head) {
    return "entropy_bound_causal/l" + std::to_string(layer) + ".h" + std::to_string(head);
}

std::vector<float> recordedCausalBounds(const ProbeSnapshot& s) {
    static const std::string prefix = "entropy_bound_causal/l";
    std::vector<float> bounds;
    for (std::size_t k = 0; k < s.scalarNames.size(); ++k) {
        const std::string& name = s.scalarNames[k];
        if (name.compare(0, prefix.size(), prefix) != 0) continue;
        int layer = -1, head = -1;
        if (std::sscanf(name.c_str() + prefix.size(), "%d.h%d", &layer, &head) != 2 || layer < 0 ||
            head < 0 || layer >= s.layers || head >= s.heads)
            continue;
        if (bounds.empty()) bounds.assign(s.headIndex(s.layers, 0), std::numeric_limits<float>::quiet_NaN());
        bounds[s.headIndex(layer, head)] = s.scalarValues[k];
    }
    return bounds;
}

} // namespace attnscope
