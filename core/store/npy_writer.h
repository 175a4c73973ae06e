#pragma once
// NumPy .npy version 1.0 files streamed from C++: export-data's arrays and the figures' map side-cars.
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace attnscope {

// Streams one array into a .npy file: the header is written first, then the data in C order through
// append(); close() checks that exactly product(shape) elements arrived.
class NpyWriter {
public:
    // descr is a NumPy type string with explicit byte order: "<f4" (float32) or "<i4" (int32).
    NpyWriter(const std::string& path, const std::string& descr, const std::vector<std::int64_t>& shape);
    void append(const float* data, std::size_t count);
    void append(const std::int32_t* data, std::size_t count);
    // Flushes and checks the size; throws attnscope::Error when the disk refused data or the count is wrong.
    void close();

private:
    void appendBytes(const void* data, std::size_t bytes);
    std::string m_path;
    std::ofstream m_out;
    std::size_t m_itemSize = 0;
    std::uint64_t m_expected = 0, m_written = 0;
};

// The complete .npy v1.0 preamble: magic "\x93NUMPY", version 1.0, little-endian header length, and the
// header dict {'descr': ..., 'fortran_order': False, 'shape': (...), } padded with spaces and ended by
// '\n' so that the data starts at a multiple of 64 bytes.
std::string npyHeader(const std::string& descr, const std::vector<std::int64_t>& shape);

} // namespace attnscope
