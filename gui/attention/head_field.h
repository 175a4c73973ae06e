#pragma once
// One head's T×T map ready for colouring: attention weights or a difference A − B, with the set of
// cells the query can actually see. Shared by the thumbnails of the grid and the enlarged heatmap so
// both colour exactly the same numbers.
#include "core/probe/snapshot.h"
#include "figures/colormap.h"

#include <QImage>
#include <cstdint>
#include <vector>

namespace attnscope {

class HeadField {
public:
    HeadField() = default;

    // Weights of one head. Visibility comes from the content logits (NaN = key not visible); a snapshot
    // without logits falls back to the causal mask, narrowed to `window` keys when window > 0.
    static HeadField attention(const ProbeSnapshot& s, int layer, int head, int window = 0);
    // A − B over the cells visible in either snapshot. A cell masked on one side counts as weight 0
    // there, which is exactly what that model gave it (e.g. a local head against a global one).
    // Empty when the two snapshots differ in shape.
    static HeadField difference(const ProbeSnapshot& a, const ProbeSnapshot& b, int layer, int head,
                                int windowA = 0, int windowB = 0);
    static bool sameShape(const ProbeSnapshot& a, const ProbeSnapshot& b);

    bool isEmpty() const { return m_length == 0; }
    int length() const { return m_length; }
    bool isDifference() const { return m_difference; }
    bool isVisible(int query, int key) const { return m_visible[idx(query, key)] != 0; }
    float value(int query, int key) const { return m_values[idx(query, key)]; }

    // Colour range from visible cells only (masked cells never stretch or shift it).
    // Weights: rows with a single visible key are skipped because their weight is 1 by construction and
    // would pin every causal head's maximum to 1; such cells render at the top colour (colorbar arrow).
    // Log: the same maximum over at most figures::kLogDecades decades. Differences: symmetric [−M, M].
    figures::ValueRange naturalRange(figures::ColorScale scale) const;
    // Whether some visible cell falls below / above the range (drawn as colorbar extension arrows).
    bool hasValuesBelow(const figures::ValueRange& r) const { return m_length > 0 && m_min < r.lo; }
    bool hasValuesAbove(const figures::ValueRange& r) const { return m_length > 0 && m_max > r.hi; }

    // T×T image, one pixel per cell: row = query, column = key; masked cells in cmap.maskedColor().
    QImage render(const figures::ColorNorm& norm, const figures::Colormap& cmap) const;
    // size×size image (size < T) where each pixel shows the strongest visible cell it covers: the largest
    // weight, or the largest |Δ| for differences. Averaging would dim a one-cell diagonal (a
    // previous-token head) to half its value and nearest-neighbour sampling would drop it entirely; the
    // peaks are what a thumbnail must keep. Pixels covering only masked cells are masked.
    QImage renderPooled(const figures::ColorNorm& norm, const figures::Colormap& cmap, int size) const;
    // The same pooling kept as a size×size field (size < T; the field itself otherwise): what a grid of many
    // long maps holds instead of T² cells per head. Its ranges and extension arrows stay those of the full
    // map; rendering or pooling it again keeps every peak it holds.
    HeadField levelOfDetail(int size) const;

private:
    // size×size strongest visible cells (renderPooled's values; −∞ where a pixel covers only masked cells).
    std::vector<float> poolPeaks(int size) const;
    std::size_t idx(int q, int k) const { return std::size_t(q) * std::size_t(m_length) + std::size_t(k); }
    void computeStats();

    int m_length = 0;
    bool m_difference = false;
    std::vector<float> m_values;         // [query][key]
    std::vector<std::uint8_t> m_visible; // [query][key], 1 = the query sees this key
    // Pooling inputs with masked cells at −∞, so pooling is a branch-free running max: the value, and for
    // differences also its negation (the strongest decrease). Rebuilt with the data.
    std::vector<float> m_poolPos, m_poolNeg;
    // [query] first and last key that can win a pool (visible, finite); first > last for none. Lets
    // pooling skip the masked part of each row: half of a causal map, most of a local head's.
    std::vector<int> m_rowFirst, m_rowLast;
    // Statistics over visible cells; "informative" rows have at least two visible keys.
    float m_min = 0, m_max = 0, m_infoMin = 0, m_infoMax = 0, m_infoMinPositive = 0, m_maxAbs = 0;
    bool m_hasInformative = false;
};

} // namespace attnscope
