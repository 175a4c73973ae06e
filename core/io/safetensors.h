#pragma once
// The safetensors checkpoint format (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON
//   {"__metadata__": {"key": "value", ...},
//    "<tensor>": {"dtype": "F32", "shape": [rows, cols], "data_offsets": [begin, end]}, ...}
// padded with spaces to a multiple of 8, then the byte buffer. Offsets are relative to the buffer start;
// tensors are contiguous, row-major, little-endian, and together cover the buffer exactly.
// AttnScope's tensor naming convention for checkpoints is documented in docs/run-format.md.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace attnscope {

struct SafeTensor {
    std::string name;
    std::string dtype; // "F32", "F64", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", ... (see dtypeSize)
    std::vector<std::int64_t> shape;
    std::vector<std::uint8_t> bytes; // elementCount() * dtypeSize(dtype) bytes, little-endian

    std::int64_t elementCount() const; // product of shape (1 for a scalar, shape [])
    // Converts F32 / F64 / F16 / BF16 data to float32; throws attnscope::Error for other dtypes.
    std::vector<float> toFloat32() const;
    // Converts any integer dtype (and BOOL) to int64; throws attnscope::Error for float dtypes.
    std::vector<std::int64_t> toInt64() const;
};

// Bytes per element of a safetensors dtype name, or 0 when the name is not a known dtype.
std::size_t dtypeSize(const std::string& dtype);

// Converts n elements of F32 / F64 / F16 / BF16 data at `data` (little-endian, any alignment) to float32;
// throws attnscope::Error naming `tensor` for other dtypes.
void convertToFloat32(const std::string& dtype, const std::uint8_t* data, std::size_t n, float* out,
                      const std::string& tensor);

// A validated header: where each tensor's bytes lie, without copying them. Offsets are absolute in the file.
struct SafeTensorEntry {
    std::string name, dtype;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0, end = 0;
};
struct SafeTensorsLayout {
    std::map<std::string, std::string> metadata;
    std::vector<SafeTensorEntry> tensors; // by offset
};
// The one header parser (SafeTensorsFile::parse and the memory-mapped reader use it). Throws attnscope::Error
// on the malformations listed at SafeTensorsFile::parse.
SafeTensorsLayout parseSafeTensorsLayout(const std::uint8_t* data, std::size_t size);

class SafeTensorsFile {
public:
    std::map<std::string, std::string> metadata; // "__metadata__": string → string only

    // Each add copies the data; throws attnscope::Error on a duplicate, empty or reserved name, or a
    // negative dimension.
    void add(const std::string& name, const float* data, const std::vector<std::int64_t>& shape);
    void add(const std::string& name, const double* data, const std::vector<std::int64_t>& shape);
    void add(const std::string& name, const std::int32_t* data, const std::vector<std::int64_t>& shape);
    void add(const std::string& name, const std::int64_t* data, const std::vector<std::int64_t>& shape);
    void add(const std::string& name, const std::uint8_t* data, const std::vector<std::int64_t>& shape);
    // Stores float32 input as F16 (round to nearest even).
    void addAsF16(const std::string& name, const float* data, const std::vector<std::int64_t>& shape);
    // Adds a tensor whose bytes are already encoded; validates dtype and size.
    void add(SafeTensor tensor);

    const std::vector<SafeTensor>& tensors() const { return m_tensors; }
    const SafeTensor* find(const std::string& name) const; // nullptr if absent
    // Like find, but throws attnscope::Error("checkpoint has no tensor \"name\"") when absent.
    const SafeTensor& get(const std::string& name) const;

    // Tensors are laid out by descending element size, then name (as the reference implementation does),
    // so every tensor starts 8-byte aligned relative to the buffer.
    std::vector<std::uint8_t> serialize() const;
    // Throws attnscope::Error on any malformation: short file, header length past the end, header not
    // UTF-8 JSON object, non-string metadata, unknown dtype, bad shape, offsets out of range, overlapping
    // or leaving gaps, or a size that disagrees with dtype × shape.
    static SafeTensorsFile parse(const std::uint8_t* data, std::size_t size);
    static SafeTensorsFile parse(const std::vector<std::uint8_t>& bytes) {
        return parse(bytes.data(), bytes.size());
    }

    // Writes atomically (temporary file + rename) so a crash never leaves half a checkpoint.
    void saveFile(const std::string& path) const;
    static SafeTensorsFile loadFile(const std::string& path);

private:
    void addRaw(const std::string& name, const char* dtype, const void* data, std::size_t elementSize,
                const std::vector<std::int64_t>& shape);
    std::vector<SafeTensor> m_tensors;
};

} // namespace attnscope
