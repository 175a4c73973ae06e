#pragma once
// A safetensors file opened read-only by memory-mapping: tensors stay in their stored type and are paged in
// by the operating system as they are read, so a checkpoint costs address space, not resident memory, until
// it is used. The header is validated by the one parser (safetensors.h).
#include "core/io/safetensors.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace attnscope {

// A tensor inside a mapping: its bytes in the stored dtype (little-endian, any alignment).
struct TensorView {
    std::string name, dtype;
    std::vector<std::int64_t> shape;
    const std::uint8_t* data = nullptr;
    std::int64_t elementCount() const;
    // Elements [first, first + n) of the flat tensor as float32 into out.
    void toFloat32(std::int64_t first, std::int64_t n, float* out) const;
    // The stored data when it is F32 and 4-byte aligned (usable in place), otherwise nullptr.
    const float* float32InPlace() const;
};

class MappedSafeTensors {
public:
    // Throws attnscope::Error naming `path` when it cannot be opened, mapped or parsed.
    explicit MappedSafeTensors(const std::string& path);
    ~MappedSafeTensors();
    MappedSafeTensors(const MappedSafeTensors&) = delete;
    MappedSafeTensors& operator=(const MappedSafeTensors&) = delete;

    const std::string& path() const { return m_path; }
    const std::vector<TensorView>& tensors() const { return m_tensors; }
    std::size_t size() const { return m_size; }

private:
    std::string m_path;
    void* m_map = nullptr;
    std::size_t m_size = 0;
    std::vector<TensorView> m_tensors;
};

} // namespace attnscope
