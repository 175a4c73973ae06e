#pragma once
// The engine's own thread team (used by parallel.h instead of OpenMP's parallel regions).
//
// Why not `#pragma omp parallel`: libgomp's threads spin at every barrier and between regions. When another
// process keeps a core busy (a compiler, a browser, a second run), a 2-thread run then waits at each of its
// ~100 regions per step for a thread that is not running, and trains at half its 1-thread speed (measured:
// docs/performance.md). The wait policy (OMP_WAIT_POLICY) is read once when libgomp loads, before any code of
// ours runs, so the engine cannot change it for itself.
//
// This team instead:
//  - hands out the blocks of a job one at a time from a shared counter, so a thread the OS has descheduled
//    simply computes fewer blocks — the others take the rest (the team shrinks to the threads that run);
//  - waits actively only briefly (kSpin, ~30 µs, covers the gap between back-to-back jobs) and then sleeps on
//  a
//    futex (C++20 atomic wait), so a waiting thread gives its core to whoever needs it;
//  - is owned by the calling thread (one team per thread that starts jobs, like libgomp's), so two trainers
//  in
//    one process never share or block each other's workers.
// Which thread computes a block never changes its result: results stay bit-identical for any thread count
// (parallel.h).
#include <cstddef>

namespace attnscope::nn {

// A non-owning reference to a callable taking a block index, valid for the duration of one runBlocks call.
class BlockFn {
public:
    template <typename Fn>
    BlockFn(const Fn& fn) // NOLINT(google-explicit-constructor): built implicitly at the call
        : m_object(&fn), m_call([](const void* o, std::ptrdiff_t k) { (*static_cast<const Fn*>(o))(k); }) {}
    void operator()(std::ptrdiff_t k) const { m_call(m_object, k); }

private:
    const void* m_object;
    void (*m_call)(const void*, std::ptrdiff_t);
};

// Calls body(k) once for every k in [0, count) on up to `threads` threads (the caller and threads − 1 workers
// of its team) and returns when all calls have returned. Runs everything inline when threads ≤ 1, count ≤ 1
// or when called from inside a job.
void runBlocks(std::ptrdiff_t count, int threads, BlockFn body);

// True on a team worker and on a caller while its job runs (nested parallelism runs inline).
bool inTeamJob();

} // namespace attnscope::nn
