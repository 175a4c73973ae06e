#include "core/store/quantized_maps.h"

#include "core/io/blob_codec.h"
#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <zlib.h>

namespace attnscope::quantizedmaps {

namespace {

constexpr std::size_t kTableEntry = 4; // uint32 little-endian compressed size per block

std::size_t blockSize(std::size_t length) {
    return length * 2 * sizeof(float) + blob::lowerTriangleSize(length);
}

// zlib stream with deflate's run-length strategy (Z_RLE): the codes are noise beyond their leading bits,
// where string matching costs time for nothing, while runs (zeros of sparse rows) still shrink. Smaller and
// faster than level 1's default strategy on these blocks; any inflater reads it.
std::vector<std::uint8_t> deflateRunLength(std::span<const std::uint8_t> raw) {
    z_stream z{};
    if (deflateInit2(&z, 1, Z_DEFLATED, 15, 8, Z_RLE) != Z_OK)
        throw Error("zlib could not start compressing a map.");
    std::vector<std::uint8_t> out(deflateBound(&z, uLong(raw.size())));
    z.next_in = const_cast<Bytef*>(raw.data());
    z.avail_in = uInt(raw.size());
    z.next_out = out.data();
    z.avail_out = uInt(out.size());
    const int rc = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    if (rc != Z_STREAM_END)
        throw Error("zlib could not compress a map of " + std::to_string(raw.size()) + " bytes.");
    return out;
}

std::uint8_t quantize(float v, float lo, double scale) {
    if (std::isnan(v)) return kNaN;
    if (std::isinf(v)) return v > 0 ? kPosInf : kNegInf;
    const double code = std::nearbyint((double(v) - double(lo)) * scale);
    return std::uint8_t(std::clamp(code, 0.0, double(kLevels)));
}

float dequantize(std::uint8_t code, float lo, float hi) {
    switch (code) {
    case kNaN:
        return std::numeric_limits<float>::quiet_NaN();
    case kPosInf:
        return std::numeric_limits<float>::infinity();
    case kNegInf:
        return -std::numeric_limits<float>::infinity();
    case kLevels:
        return hi;
    default:
        return float(double(lo) + (double(hi) - double(lo)) * double(code) / kLevels);
    }
}

} // namespace

double errorBound(double lo, double hi) {
    return (hi - lo) / (2.0 * kLevels) + std::ldexp(std::max(std::abs(lo), std::abs(hi)), -23) +
           std::ldexp(1.0, -149);
}

std::vector<std::uint8_t> pack(std::span<const float> maps, std::size_t count, std::size_t length) {
    if (maps.size() != count * length * length)
        throw Error("Cannot store attention maps: expected " + std::to_string(count * length * length) +
                    " values, got " + std::to_string(maps.size()) + ".");
    std::vector<std::uint8_t> out(count * kTableEntry);
    std::vector<std::uint8_t> block(blockSize(length));
    std::vector<float> lo(length), hi(length);
    for (std::size_t m = 0; m < count; ++m) {
        const float* map = maps.data() + m * length * length;
        std::uint8_t* codes = block.data() + length * 2 * sizeof(float);
        for (std::size_t q = 0; q < length; ++q) {
            const float* row = map + q * length;
            float rowLo = std::numeric_limits<float>::infinity(), rowHi = -rowLo;
            for (std::size_t k = 0; k <= q; ++k)
                if (std::isfinite(row[k])) rowLo = std::min(rowLo, row[k]), rowHi = std::max(rowHi, row[k]);
            // The range always includes 0: a near-uniform row (an untrained model's attention) then quantises
            // to a few codes near 252 instead of spreading its insignificant noise over all of them, and
            // exact zeros stay exact. The bound below holds for any range that contains the row.
            rowLo = std::min(rowLo, 0.0f), rowHi = std::max(rowHi, 0.0f); // also 0, 0 for no finite value
            lo[q] = rowLo, hi[q] = rowHi;
            const double scale = rowHi > rowLo ? kLevels / (double(rowHi) - double(rowLo)) : 0.0;
            for (std::size_t k = 0; k <= q; ++k) *codes++ = quantize(row[k], rowLo, scale);
        }
        std::memcpy(block.data(), lo.data(), length * sizeof(float));
        std::memcpy(block.data() + length * sizeof(float), hi.data(), length * sizeof(float));
        const std::vector<std::uint8_t> packed = deflateRunLength(block);
        const auto size = std::uint32_t(packed.size());
        std::memcpy(out.data() + m * kTableEntry, &size, kTableEntry);
        out.insert(out.end(), packed.begin(), packed.end());
    }
    return out;
}

PackedMaps::PackedMaps(std::vector<std::uint8_t> blob, std::size_t count, std::size_t length,
                       std::string what)
    : m_blob(std::move(blob)), m_count(count), m_length(length), m_what(std::move(what)) {
    if (m_count > m_blob.size() / kTableEntry)
        throw Error(m_what + " is damaged: its block table does not fit its " +
                    std::to_string(m_blob.size()) + " bytes.");
    m_offsets.resize(m_count + 1);
    std::size_t at = m_count * kTableEntry;
    for (std::size_t m = 0; m < m_count; ++m) {
        m_offsets[m] = at;
        std::uint32_t size;
        std::memcpy(&size, m_blob.data() + m * kTableEntry, kTableEntry);
        if (size > m_blob.size() - at)
            throw Error(m_what + " is damaged: map " + std::to_string(m) + " runs past the end of its data.");
        at += size;
    }
    m_offsets[m_count] = at;
    if (at != m_blob.size())
        throw Error(m_what + " is damaged: " + std::to_string(m_blob.size() - at) +
                    " bytes follow its last map.");
}

std::vector<float> PackedMaps::map(std::size_t index, float upperFill) const {
    std::vector<float> out(m_length * m_length, upperFill);
    const std::span<const std::uint8_t> packed(m_blob.data() + m_offsets[index],
                                               m_offsets[index + 1] - m_offsets[index]);
    const std::vector<std::uint8_t> block =
        blob::decompress(packed, blockSize(m_length), m_what + " (map " + std::to_string(index) + ")");
    std::vector<float> lo(m_length), hi(m_length);
    std::memcpy(lo.data(), block.data(), m_length * sizeof(float));
    std::memcpy(hi.data(), block.data() + m_length * sizeof(float), m_length * sizeof(float));
    const std::uint8_t* codes = block.data() + m_length * 2 * sizeof(float);
    for (std::size_t q = 0; q < m_length; ++q) {
        float* row = out.data() + q * m_length;
        for (std::size_t k = 0; k <= q; ++k) row[k] = dequantize(*codes++, lo[q], hi[q]);
    }
    return out;
}

std::vector<float> PackedMaps::all(float upperFill) const {
    std::vector<float> out;
    out.reserve(m_count * m_length * m_length);
    for (std::size_t m = 0; m < m_count; ++m) {
        const std::vector<float> one = map(m, upperFill);
        out.insert(out.end(), one.begin(), one.end());
    }
    return out;
}

} // namespace attnscope::quantizedmaps
