#include "gui/attention/head_field.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope {

namespace {

bool hasMaps(const ProbeSnapshot& s, int layer, int head) {
    const std::size_t cells = std::size_t(s.length) * std::size_t(s.length);
    return s.length > 0 && layer >= 0 && layer < s.layers && head >= 0 && head < s.heads &&
           s.attention.size() >= (s.headIndex(layer, head) + 1) * cells;
}

// Visibility from the logits contract (NaN = masked); the geometric mask only when logits are absent.
void fillVisibility(const ProbeSnapshot& s, int layer, int head, int window, std::vector<std::uint8_t>& vis) {
    const int T = s.length;
    const std::size_t cells = std::size_t(T) * std::size_t(T);
    vis.assign(cells, 0);
    if (s.logits.size() >= (s.headIndex(layer, head) + 1) * cells) {
        const float* z = s.logitMap(layer, head);
        for (std::size_t c = 0; c < cells; ++c) vis[c] = std::isnan(z[c]) ? 0 : 1;
        return;
    }
    for (int q = 0; q < T; ++q)
        for (int k = 0; k <= q; ++k)
            if (window <= 0 || q - k < window) vis[std::size_t(q) * T + k] = 1;
}

} // namespace

bool HeadField::sameShape(const ProbeSnapshot& a, const ProbeSnapshot& b) {
    return a.layers == b.layers && a.heads == b.heads && a.length == b.length;
}

HeadField HeadField::attention(const ProbeSnapshot& s, int layer, int head, int window) {
    HeadField f;
    if (!hasMaps(s, layer, head)) return f;
    f.m_length = s.length;
    const float* a = s.map(layer, head);
    f.m_values.assign(a, a + std::size_t(s.length) * std::size_t(s.length));
    fillVisibility(s, layer, head, window, f.m_visible);
    f.computeStats();
    return f;
}

HeadField HeadField::difference(const ProbeSnapshot& a, const ProbeSnapshot& b, int layer, int head,
                                int windowA, int windowB) {
    HeadField f;
    if (!sameShape(a, b) || !hasMaps(a, layer, head) || !hasMaps(b, layer, head)) return f;
    f.m_length = a.length;
    f.m_difference = true;
    std::vector<std::uint8_t> visB;
    fillVisibility(a, layer, head, windowA, f.m_visible);
    fillVisibility(b, layer, head, windowB, visB);
    const float* pa = a.map(layer, head);
    const float* pb = b.map(layer, head);
    const std::size_t cells = f.m_visible.size();
    f.m_values.resize(cells);
    for (std::size_t c = 0; c < cells; ++c) {
        const float va = f.m_visible[c] ? pa[c] : 0.0f;
        const float vb = visB[c] ? pb[c] : 0.0f;
        f.m_visible[c] = f.m_visible[c] | visB[c];
        f.m_values[c] = va - vb;
    }
    f.computeStats();
    return f;
}

void HeadField::computeStats() {
    constexpr float inf = std::numeric_limits<float>::infinity();
    float mn = inf, mx = -inf, imn = inf, imx = -inf, ipos = inf, mabs = 0;
    m_hasInformative = false;
    m_poolPos.resize(m_values.size());
    m_poolNeg.resize(m_difference ? m_values.size() : 0);
    m_rowFirst.assign(std::size_t(m_length), m_length);
    m_rowLast.assign(std::size_t(m_length), -1);
    for (int q = 0; q < m_length; ++q) {
        const std::uint8_t* vis = &m_visible[idx(q, 0)];
        const float* val = &m_values[idx(q, 0)];
        float* pos = &m_poolPos[idx(q, 0)];
        float* neg = m_difference ? &m_poolNeg[idx(q, 0)] : nullptr;
        int visibleKeys = 0;
        for (int k = 0; k < m_length; ++k) visibleKeys += vis[k];
        const bool informative = visibleKeys >= 2;
        for (int k = 0; k < m_length; ++k) {
            const float v = val[k];
            // A non-finite weight (a diverged run) is shown, but never sets a range or wins a pool.
            const bool use = vis[k] && std::isfinite(v);
            pos[k] = use ? v : -inf;
            if (neg) neg[k] = use ? -v : -inf;
            if (!use) continue;
            m_rowFirst[std::size_t(q)] = std::min(m_rowFirst[std::size_t(q)], k);
            m_rowLast[std::size_t(q)] = k;
            mn = std::min(mn, v);
            mx = std::max(mx, v);
            mabs = std::max(mabs, std::abs(v));
            if (!informative) continue;
            m_hasInformative = true;
            imn = std::min(imn, v);
            imx = std::max(imx, v);
            if (v > 0) ipos = std::min(ipos, v);
        }
    }
    if (mn > mx) mn = mx = 0; // nothing visible
    m_min = mn;
    m_max = mx;
    m_maxAbs = mabs;
    m_infoMin = m_hasInformative ? imn : mn;
    m_infoMax = m_hasInformative ? imx : mx;
    m_infoMinPositive = std::isfinite(ipos) ? ipos : (mn > 0 ? mn : 0);
}

figures::ValueRange HeadField::naturalRange(figures::ColorScale scale) const {
    if (m_length == 0) return {};
    if (m_difference) {
        // Symmetric so that white means "no change"; a tiny floor keeps identical maps drawable.
        const double m = std::max<double>(m_maxAbs, 1e-6);
        return {-m, m};
    }
    if (scale == figures::ColorScale::Log) return figures::logRange(m_infoMinPositive, m_infoMax);
    figures::ValueRange r{m_infoMin, m_infoMax};
    if (!(r.hi > r.lo)) r = {std::min(0.0, r.lo), r.hi > 0 ? r.hi : 1.0}; // flat map, e.g. uniform rows
    return r;
}

QImage HeadField::render(const figures::ColorNorm& norm, const figures::Colormap& cmap) const {
    QImage img(m_length, m_length, QImage::Format_RGB32);
    if (m_length == 0) return img;
    const QRgb* lut = cmap.table().data();
    const QRgb masked = cmap.maskedColor();
    for (int q = 0; q < m_length; ++q) {
        auto* line = reinterpret_cast<QRgb*>(img.scanLine(q));
        const float* val = &m_values[idx(q, 0)];
        const std::uint8_t* vis = &m_visible[idx(q, 0)];
        for (int k = 0; k < m_length; ++k) line[k] = vis[k] ? lut[norm.index(val[k])] : masked;
    }
    return img;
}

QImage HeadField::renderPooled(const figures::ColorNorm& norm, const figures::Colormap& cmap,
                               int size) const {
    if (m_length == 0 || size <= 0) return {};
    if (size >= m_length) return render(norm, cmap);
    const std::vector<float> pooled = poolPeaks(size);
    constexpr float ninf = -std::numeric_limits<float>::infinity();
    QImage img(size, size, QImage::Format_RGB32);
    const QRgb* lut = cmap.table().data();
    const QRgb masked = cmap.maskedColor();
    for (int oy = 0; oy < size; ++oy) {
        auto* line = reinterpret_cast<QRgb*>(img.scanLine(oy));
        const float* v = &pooled[std::size_t(oy) * std::size_t(size)];
        for (int ox = 0; ox < size; ++ox) line[ox] = v[ox] == ninf ? masked : lut[norm.index(v[ox])];
    }
    return img;
}

HeadField HeadField::levelOfDetail(int size) const {
    if (m_length == 0 || size <= 0 || size >= m_length) return *this;
    constexpr float ninf = -std::numeric_limits<float>::infinity();
    HeadField f = *this; // the statistics (ranges, arrows) stay those of the full map
    f.m_length = size;
    f.m_values = poolPeaks(size);
    const std::size_t cells = f.m_values.size();
    f.m_visible.resize(cells);
    f.m_poolPos.resize(cells);
    f.m_poolNeg.resize(m_difference ? cells : 0);
    f.m_rowFirst.assign(std::size_t(size), size);
    f.m_rowLast.assign(std::size_t(size), -1);
    for (int q = 0; q < size; ++q)
        for (int k = 0; k < size; ++k) {
            const std::size_t c = f.idx(q, k);
            const float v = f.m_values[c];
            const bool use = v != ninf;
            f.m_visible[c] = use;
            f.m_poolPos[c] = v;
            if (m_difference) f.m_poolNeg[c] = use ? -v : ninf;
            if (!use) continue;
            f.m_rowFirst[std::size_t(q)] = std::min(f.m_rowFirst[std::size_t(q)], k);
            f.m_rowLast[std::size_t(q)] = k;
        }
    return f;
}

std::vector<float> HeadField::poolPeaks(int size) const {
    const int T = m_length;
    constexpr float ninf = -std::numeric_limits<float>::infinity();
    // Cells [first[o], last[o]) under output pixel o, partially covered cells included.
    std::vector<int> first(static_cast<std::size_t>(size) + 1), last(static_cast<std::size_t>(size));
    for (int o = 0; o < size; ++o) {
        first[std::size_t(o)] = int(std::int64_t(o) * T / size);
        last[std::size_t(o)] = int((std::int64_t(o + 1) * T + size - 1) / size);
    }
    // Separable max: over keys within each row, then over queries.
    const int planes = m_difference ? 2 : 1;
    std::vector<float> rowMax(std::size_t(planes) * std::size_t(T) * std::size_t(size));
    for (int p = 0; p < planes; ++p) {
        const std::vector<float>& src = p == 0 ? m_poolPos : m_poolNeg;
        for (int q = 0; q < T; ++q) {
            const float* in = &src[idx(q, 0)];
            float* out = &rowMax[(std::size_t(p) * T + std::size_t(q)) * std::size_t(size)];
            const int lo = m_rowFirst[std::size_t(q)], hi = m_rowLast[std::size_t(q)];
            for (int ox = 0; ox < size; ++ox) {
                float m = ninf;
                const int k0 = std::max(first[std::size_t(ox)], lo),
                          k1 = std::min(last[std::size_t(ox)], hi + 1);
                for (int k = k0; k < k1; ++k) m = std::max(m, in[k]);
                out[ox] = m;
            }
        }
    }
    std::vector<float> pooled(std::size_t(size) * std::size_t(size));
    std::vector<float> pos(static_cast<std::size_t>(size)), neg(static_cast<std::size_t>(size));
    for (int oy = 0; oy < size; ++oy) {
        std::fill(pos.begin(), pos.end(), ninf);
        std::fill(neg.begin(), neg.end(), ninf);
        for (int q = first[std::size_t(oy)]; q < last[std::size_t(oy)]; ++q) {
            const float* a = &rowMax[std::size_t(q) * std::size_t(size)];
            for (int ox = 0; ox < size; ++ox) pos[std::size_t(ox)] = std::max(pos[std::size_t(ox)], a[ox]);
            if (planes == 2) {
                const float* b = &rowMax[(std::size_t(T) + std::size_t(q)) * std::size_t(size)];
                for (int ox = 0; ox < size; ++ox)
                    neg[std::size_t(ox)] = std::max(neg[std::size_t(ox)], b[ox]);
            }
        }
        float* line = &pooled[std::size_t(oy) * std::size_t(size)];
        for (int ox = 0; ox < size; ++ox) {
            const float up = pos[std::size_t(ox)], down = neg[std::size_t(ox)];
            // Differences keep the larger change of either sign: +up, or −down.
            line[ox] = planes == 2 && down > up ? -down : up;
        }
    }
    return pooled;
}

} // namespace attnscope
