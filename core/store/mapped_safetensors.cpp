#include "core/store/mapped_safetensors.h"

#include "core/util/error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace attnscope {

std::int64_t TensorView::elementCount() const {
    std::int64_t n = 1;
    for (std::int64_t d : shape) n *= d;
    return n;
}

void TensorView::toFloat32(std::int64_t first, std::int64_t n, float* out) const {
    convertToFloat32(dtype, data + std::size_t(first) * dtypeSize(dtype), std::size_t(n), out, name);
}

const float* TensorView::float32InPlace() const {
    if (dtype != "F32" || reinterpret_cast<std::uintptr_t>(data) % alignof(float) != 0) return nullptr;
    return reinterpret_cast<const float*>(data);
}

MappedSafeTensors::MappedSafeTensors(const std::string& path) : m_path(path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error("Cannot open " + path + ": " + std::strerror(errno) + ".");
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error("Cannot read " + path + ": it is not a regular file.");
    }
    m_size = std::size_t(st.st_size);
    if (m_size > 0) {
        m_map = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m_map == MAP_FAILED) {
            const int err = errno;
            ::close(fd);
            m_map = nullptr;
            throw Error("Cannot map " + path + " into memory: " + std::strerror(err) + ".");
        }
    }
    ::close(fd);
    const auto* bytes = static_cast<const std::uint8_t*>(m_map);
    try {
        SafeTensorsLayout layout = parseSafeTensorsLayout(bytes, m_size);
        for (SafeTensorEntry& e : layout.tensors)
            m_tensors.push_back({std::move(e.name), std::move(e.dtype), std::move(e.shape), bytes + e.begin});
    } catch (const Error& e) {
        if (m_map) ::munmap(m_map, m_size);
        throw Error(path + ": " + e.what());
    }
}

MappedSafeTensors::~MappedSafeTensors() {
    if (m_map) ::munmap(m_map, m_size);
}

} // namespace attnscope
