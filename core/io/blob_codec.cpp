#include "core/io/blob_codec.h"

#include "core/util/error.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <zlib.h>

namespace attnscope::blob {

static_assert(std::endian::native == std::endian::little,
              "run files and checkpoints are little-endian; a big-endian port needs byte swapping here");

namespace {

// Shifts `mantissa` right by `shift` bits, rounding to nearest with ties to even.
std::uint32_t shiftRoundEven(std::uint32_t mantissa, unsigned shift) {
    const std::uint32_t kept = mantissa >> shift;
    const std::uint32_t rest = mantissa & ((1u << shift) - 1);
    const std::uint32_t halfway = 1u << (shift - 1);
    return kept + ((rest > halfway || (rest == halfway && (kept & 1u))) ? 1u : 0u);
}

} // namespace

std::uint16_t floatToHalf(float value) {
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
    const auto sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000u);
    const std::uint32_t magnitude = bits & 0x7FFFFFFFu;
    if (magnitude > 0x7F800000u) // NaN: force the quiet bit so a payload that truncates to 0 stays NaN
        return static_cast<std::uint16_t>(sign | 0x7E00u | ((magnitude >> 13) & 0x3FFu));
    const std::uint32_t exponent = magnitude >> 23;
    if (exponent >= 143) return static_cast<std::uint16_t>(sign | 0x7C00u); // ≥ 2^16 (or inf): inf
    if (exponent >= 113) {
        // Normal half. Rebias the exponent (127 → 15) and round 23 mantissa bits to 10; a carry out of
        // the mantissa correctly bumps the exponent, up to inf for values ≥ 65520.
        return static_cast<std::uint16_t>(sign | shiftRoundEven(magnitude - (112u << 23), 13));
    }
    // Subnormal half (unit 2^-24) or zero: value = (1.m) · 2^(e−150), i.e. mantissa · 2^(e−126) units.
    const unsigned shift = 126 - exponent;
    if (shift > 24) return sign; // below half the smallest subnormal
    const std::uint32_t mantissa = (magnitude & 0x7FFFFFu) | 0x800000u;
    return static_cast<std::uint16_t>(sign | shiftRoundEven(mantissa, shift));
}

float halfToFloat(std::uint16_t half) {
    const std::uint32_t sign = std::uint32_t(half & 0x8000u) << 16;
    const std::uint32_t exponent = (half >> 10) & 0x1Fu;
    const std::uint32_t mantissa = half & 0x3FFu;
    if (exponent == 0) {
        const float magnitude = std::ldexp(float(mantissa), -24); // exact: ≤ 10 significant bits
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 31) return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13));
    return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

std::vector<std::uint8_t> compress(std::span<const std::uint8_t> raw, int level) {
    uLongf size = compressBound(uLong(raw.size()));
    std::vector<std::uint8_t> out(size);
    const int rc = compress2(out.data(), &size, raw.data(), uLong(raw.size()), level);
    if (rc != Z_OK)
        throw Error("zlib could not compress a block of " + std::to_string(raw.size()) + " bytes.");
    out.resize(size);
    return out;
}

std::vector<std::uint8_t> decompress(std::span<const std::uint8_t> packed, std::size_t expectedSize,
                                     const std::string& what) {
    // Deflate expands at most ~1032:1; a larger claimed size is corruption, refused before any work.
    if (expectedSize > (packed.size() + 64) * 1100)
        throw Error(what + " is damaged: " + std::to_string(packed.size()) +
                    " compressed bytes cannot hold " + std::to_string(expectedSize) + " bytes.");
    // Inflated in steps, the buffer growing only with what the stream really produces: a damaged size
    // field (dimensions) costs no more memory than the data behind it, and never more than expectedSize.
    const auto fail = [&](const std::string& why) -> std::vector<std::uint8_t> {
        throw Error(what + " is damaged: its compressed data " + why + ".");
    };
    z_stream stream{};
    if (inflateInit(&stream) != Z_OK) throw Error("zlib could not start inflating " + what + ".");
    std::vector<std::uint8_t> out(
        std::min<std::size_t>(expectedSize + 1, std::max<std::size_t>(packed.size() * 4, 1 << 16)));
    stream.next_in = const_cast<Bytef*>(packed.data());
    std::size_t inLeft = packed.size();
    int rc = Z_OK;
    while (rc == Z_OK) {
        if (stream.total_out == out.size()) {
            if (out.size() > expectedSize) break; // more than expected: stop at one byte over
            out.resize(std::min(expectedSize + 1, out.size() * 2));
        }
        const uInt inChunk = uInt(std::min<std::size_t>(inLeft, 1u << 30));
        stream.avail_in = inChunk;
        const std::size_t room = std::min<std::size_t>(out.size() - stream.total_out, 1u << 30);
        stream.next_out = out.data() + stream.total_out;
        stream.avail_out = uInt(room);
        rc = inflate(&stream, Z_NO_FLUSH);
        inLeft -= inChunk - stream.avail_in;
        if (rc == Z_BUF_ERROR && stream.avail_out > 0) break; // input ended mid-stream
        if (rc == Z_BUF_ERROR) rc = Z_OK;                     // output full: grow and go on
    }
    const std::size_t produced = stream.total_out;
    const char* message = stream.msg;
    inflateEnd(&stream);
    if (rc != Z_STREAM_END) {
        if (produced > expectedSize)
            return fail("inflates to more than " + std::to_string(expectedSize) + " bytes");
        return fail(std::string("does not inflate (") + (message ? message : zError(rc)) + ")");
    }
    if (produced != expectedSize) return fail("has the wrong length");
    out.resize(expectedSize);
    return out;
}

std::size_t lowerTriangleSize(std::size_t length) {
    return length * (length + 1) / 2;
}

std::vector<std::uint8_t> packCausalMaps(std::span<const float> maps, std::size_t count, std::size_t length) {
    if (maps.size() != count * length * length)
        throw Error("Cannot store attention maps: expected " + std::to_string(count * length * length) +
                    " values, got " + std::to_string(maps.size()) + ".");
    std::vector<std::uint16_t> halves;
    halves.reserve(count * lowerTriangleSize(length));
    for (std::size_t m = 0; m < count; ++m) {
        const float* map = maps.data() + m * length * length;
        for (std::size_t query = 0; query < length; ++query)
            for (std::size_t key = 0; key <= query; ++key)
                halves.push_back(floatToHalf(map[query * length + key]));
    }
    return compress({reinterpret_cast<const std::uint8_t*>(halves.data()), halves.size() * 2});
}

std::vector<float> unpackCausalMaps(std::span<const std::uint8_t> packed, std::size_t count,
                                    std::size_t length, float upperFill, const std::string& what) {
    const std::size_t perMap = lowerTriangleSize(length);
    const std::vector<std::uint8_t> raw = decompress(packed, count * perMap * 2, what);
    std::vector<float> maps(count * length * length, upperFill);
    std::size_t at = 0;
    for (std::size_t m = 0; m < count; ++m) {
        float* map = maps.data() + m * length * length;
        for (std::size_t query = 0; query < length; ++query)
            for (std::size_t key = 0; key <= query; ++key, at += 2) {
                std::uint16_t half;
                std::memcpy(&half, raw.data() + at, 2);
                map[query * length + key] = halfToFloat(half);
            }
    }
    return maps;
}

std::vector<std::uint8_t> floatsToBytes(std::span<const float> values) {
    std::vector<std::uint8_t> out(values.size() * sizeof(float));
    if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
    return out;
}

std::vector<float> bytesToFloats(std::span<const std::uint8_t> bytes, const std::string& what) {
    if (bytes.size() % sizeof(float) != 0)
        throw Error(what + " is damaged: " + std::to_string(bytes.size()) +
                    " bytes is not a whole number of floats.");
    std::vector<float> out(bytes.size() / sizeof(float));
    if (!out.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
}

std::vector<std::uint8_t> int32sToBytes(std::span<const std::int32_t> values) {
    std::vector<std::uint8_t> out(values.size() * sizeof(std::int32_t));
    if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
    return out;
}

std::vector<std::int32_t> bytesToInt32s(std::span<const std::uint8_t> bytes, const std::string& what) {
    if (bytes.size() % sizeof(std::int32_t) != 0)
        throw Error(what + " is damaged: " + std::to_string(bytes.size()) +
                    " bytes is not a whole number of 32-bit integers.");
    std::vector<std::int32_t> out(bytes.size() / sizeof(std::int32_t));
    if (!out.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
}

} // namespace attnscope::blob
