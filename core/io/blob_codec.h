#pragma once
// Byte encodings shared by the run file and the checkpoint format: IEEE half floats, zlib, the causal
// lower-triangle packing of attention maps, and raw little-endian arrays. Every decoder validates sizes
// and throws attnscope::Error with a sentence naming `what`, so corrupted input never reads out of bounds.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace attnscope::blob {

// IEEE 754 binary16. floatToHalf rounds to nearest, ties to even; overflow gives ±inf, tiny values
// become subnormals or ±0, NaN stays NaN (quiet, sign and top payload bits kept). halfToFloat is exact.
std::uint16_t floatToHalf(float value);
float halfToFloat(std::uint16_t half);

// zlib (RFC 1950) stream, readable by Python's zlib.decompress. The stream carries an Adler-32
// checksum, so corruption is detected on inflate.
std::vector<std::uint8_t> compress(std::span<const std::uint8_t> raw, int level = 6);
// Inflates a stream that must expand to exactly `expectedSize` bytes.
std::vector<std::uint8_t> decompress(std::span<const std::uint8_t> packed, std::size_t expectedSize,
                                     const std::string& what);

// Number of (query, key) pairs with key ≤ query in a T×T causal map: T(T+1)/2.
std::size_t lowerTriangleSize(std::size_t length);

// maps: `count` row-major T×T matrices. Packs/unpacks row by row, keys 0..query of each query, as
// float16 + zlib. Unpacking fills the strictly upper triangle (future keys) with `upperFill`.
std::vector<std::uint8_t> packCausalMaps(std::span<const float> maps, std::size_t count, std::size_t length);
std::vector<float> unpackCausalMaps(std::span<const std::uint8_t> packed, std::size_t count,
                                    std::size_t length, float upperFill, const std::string& what);

// Raw little-endian arrays (the host is little-endian; checked at compile time in the .cpp).
std::vector<std::uint8_t> floatsToBytes(std::span<const float> values);
std::vector<float> bytesToFloats(std::span<const std::uint8_t> bytes, const std::string& what);
std::vector<std::uint8_t> int32sToBytes(std::span<const std::int32_t> values);
std::vector<std::int32_t> bytesToInt32s(std::span<const std::uint8_t> bytes, const std::string& what);

} // namespace attnscope::blob
