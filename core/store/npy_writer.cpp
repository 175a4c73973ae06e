#include "core/store/npy_writer.h"

#include "core/util/error.h"

#include <bit>

namespace attnscope {

// The .npy descr strings below say little-endian; the data is written as the host stores it.
static_assert(std::endian::native == std::endian::little, "npy_writer assumes a little-endian host");

std::string npyHeader(const std::string& descr, const std::vector<std::int64_t>& shape) {
    std::string dims;
    for (std::size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
    if (shape.size() == 1) dims += ","; // a 1-tuple in Python needs its comma
    std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
    const std::size_t preamble = 10; // magic (6) + version (2) + header length (2)
    const std::size_t total = (preamble + dict.size() + 1 + 63) / 64 * 64;
    dict += std::string(total - preamble - dict.size() - 1, ' ') + '\n';
    std::string out = "\x93NUMPY";
    out += char(1), out += char(0);
    out += char(dict.size() & 0xff), out += char((dict.size() >> 8) & 0xff);
    return out + dict;
}

NpyWriter::NpyWriter(const std::string& path, const std::string& descr,
                     const std::vector<std::int64_t>& shape)
    : m_path(path), m_out(path, std::ios::binary | std::ios::trunc),
      m_itemSize(descr == "<i4" || descr == "<f4" ? 4 : 0) {
    if (m_itemSize == 0) throw Error("NpyWriter: unsupported dtype " + descr + ".");
    if (!m_out) throw Error("Cannot create " + path + ".");
    m_expected = 1;
    for (const std::int64_t d : shape) m_expected *= std::uint64_t(d);
    const std::string header = npyHeader(descr, shape);
    m_out.write(header.data(), std::streamsize(header.size()));
}

void NpyWriter::appendBytes(const void* data, std::size_t bytes) {
    m_out.write(static_cast<const char*>(data), std::streamsize(bytes));
    m_written += bytes / m_itemSize;
}

void NpyWriter::append(const float* data, std::size_t count) {
    appendBytes(data, count * sizeof(float));
}
void NpyWriter::append(const std::int32_t* data, std::size_t count) {
    appendBytes(data, count * sizeof(std::int32_t));
}

void NpyWriter::close() {
    m_out.flush();
    if (!m_out) throw Error("Cannot write " + m_path + " (is the disk full?).");
    if (m_written != m_expected)
        throw Error("Internal error: " + m_path + " received " + std::to_string(m_written) +
                    " values, its shape needs " + std::to_string(m_expected) + ".");
    m_out.close();
}

} // namespace attnscope
