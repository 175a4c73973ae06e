#pragma once
// 64-byte aligned storage. Every buffer the engine computes on starts on a cache line: Eigen's vectorised
// kernels split work into a scalar prologue and a vector body according to alignment, so two allocations with
// different alignment would round differently and break bit-identical reruns and resumes.
#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

namespace attnscope {

inline constexpr std::size_t kAlignBytes = 64;

template <typename T> struct AlignedAllocator {
    using value_type = T;
    AlignedAllocator() = default;
    template <typename U> AlignedAllocator(const AlignedAllocator<U>&) {}
    T* allocate(std::size_t n) {
        const std::size_t bytes = ((n * sizeof(T) + kAlignBytes - 1) / kAlignBytes) * kAlignBytes;
        void* p = std::aligned_alloc(kAlignBytes, bytes == 0 ? kAlignBytes : bytes);
        if (!p) throw std::bad_alloc();
        return static_cast<T*>(p);
    }
    void deallocate(T* p, std::size_t) { std::free(p); }
    template <typename U> bool operator==(const AlignedAllocator<U>&) const { return true; }
};

template <typename T> using AlignedVector = std::vector<T, AlignedAllocator<T>>;

// Rounds an element count up so the next buffer also starts on a 64-byte boundary.
template <typename T> constexpr std::size_t alignedCount(std::size_t n) {
    constexpr std::size_t per = kAlignBytes / sizeof(T);
    return (n + per - 1) / per * per;
}

} // namespace attnscope
