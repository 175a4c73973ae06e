#pragma once
// Map encoding "q8_tril_zlib" (docs/run-format.md): every causal map's lower triangle quantised to 8 bits
// per value against its own row's range, widened to include 0, with one zlib block per map, so a viewer
// decodes only the heads it draws. Error bound, per finite value v of row i, stored with the range
// [lo_i, hi_i] = [min(0, row min), max(0, row max)] over the row's finite values:
//     |decoded − v| ≤ (hi_i − lo_i) / 504 + 2⁻²³ · max(|lo_i|, |hi_i|) + 2⁻¹⁴⁹
// (half a quantisation step of (hi − lo)/252, plus float32 rounding of the decoded value, whose spacing is
// 2⁻¹⁴⁹ among subnormals). Zeros, a positive row maximum, a negative row minimum, NaN and ±inf come back
// exactly.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace attnscope::quantizedmaps {

inline constexpr const char* kEncoding = "q8_tril_zlib";
inline constexpr int kLevels = 252; // codes 0 … 252 are linear in [lo, hi]
inline constexpr std::uint8_t kNegInf = 253, kPosInf = 254, kNaN = 255;

// Half a quantisation step plus float32 rounding: the largest decoding error of a value of a row whose
// finite values span [lo, hi]. One definition for the docs, the tests and the app's tooltip.
double errorBound(double lo, double hi);

// maps: `count` row-major T×T matrices (only key ≤ query is read). Each block is deflated with the run-length
// strategy (see the .cpp).
std::vector<std::uint8_t> pack(std::span<const float> maps, std::size_t count, std::size_t length);

// A packed blob with its block table checked against the stored shape: any map decodes alone.
class PackedMaps {
public:
    // Throws attnscope::Error naming `what` when the block table does not fit the blob or the shape.
    PackedMaps(std::vector<std::uint8_t> blob, std::size_t count, std::size_t length, std::string what);
    std::size_t count() const { return m_count; }
    std::size_t length() const { return m_length; }
    std::size_t bytes() const { return m_blob.size(); }
    // Map `index` as a dense row-major T×T matrix; the strictly upper triangle is `upperFill`. Throws
    // attnscope::Error when its block is damaged (the inflated size is bounded by the shape).
    std::vector<float> map(std::size_t index, float upperFill) const;
    // Every map, [count][T][T].
    std::vector<float> all(float upperFill) const;

private:
    std::vector<std::uint8_t> m_blob;
    std::size_t m_count, m_length;
    std::string m_what;
    std::vector<std::size_t> m_offsets; // count + 1 block boundaries in m_blob
};

} // namespace attnscope::quantizedmaps
