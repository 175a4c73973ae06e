#include "core/nn/thread_team.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace attnscope::nn {

namespace {

using Clock = std::chrono::steady_clock;

thread_local bool t_inJob = false;

// How long a waiting thread spins before it sleeps. Long enough to cover the gap between back-to-back jobs
// of a training step (a few µs), short enough that a thread waiting for a descheduled one hands its core
// over quickly. ATTNSCOPE_SPIN_US overrides it (for measurements; docs/performance.md).
Clock::duration spinBudget() {
    static const Clock::duration budget = [] {
        const char* env = std::getenv("ATTNSCOPE_SPIN_US");
        const long us = env ? std::strtol(env, nullptr, 10) : 30;
        return std::chrono::duration_cast<Clock::duration>(std::chrono::microseconds(std::max(0L, us)));
    }();
    return budget;
}

void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#endif
}

// Spins until pred() holds or the spin budget is spent; returns pred().
template <typename Pred> bool spinUntil(Pred&& pred) {
    const auto until = Clock::now() + spinBudget();
    for (unsigned i = 0;; ++i) {
        if (pred()) return true;
        cpuRelax();
        if ((i & 63) == 63 && Clock::now() >= until) return pred();
    }
}

// Waits until a.load() != old: a short spin, then a futex sleep.
template <typename A, typename V> void waitWhileEqual(const A& a, V old) {
    if (spinUntil([&] { return a.load(std::memory_order_acquire) != old; })) return;
    while (a.load(std::memory_order_acquire) == old) a.wait(old, std::memory_order_acquire);
}

// The job's block counter is one 64-bit word: generation (24 bits) | count (20) | next unclaimed block (20).
// A thread claims a block with a compare-exchange on the whole word, so a thread that wakes late — after its
// job is over and another has started — can never claim a block of a job it did not read the body of.
constexpr int kIndexBits = 20;
constexpr std::uint64_t kIndexMask = (std::uint64_t(1) << kIndexBits) - 1;
constexpr std::ptrdiff_t kMaxUnits = std::ptrdiff_t(kIndexMask);

class Team {
public:
    Team() = default;
    Team(const Team&) = delete;
    Team& operator=(const Team&) = delete;
    ~Team() {
        m_stop.store(true, std::memory_order_release);
        m_wake.fetch_add(1, std::memory_order_release);
        m_wake.notify_all();
        for (std::thread& t : m_workers) t.join();
    }

    void run(std::ptrdiff_t count, int threads, const BlockFn& body) {
        const int helpers = threads - 1;
        const std::uint32_t wake = m_wake.load(std::memory_order_relaxed);
        while (int(m_workers.size()) < helpers)
            m_workers.emplace_back([this, index = int(m_workers.size()), wake] { workerLoop(index, wake); });
        m_body = &body;
        m_done.store(0, std::memory_order_relaxed);
        m_helpers.store(helpers, std::memory_order_relaxed);
        m_generation = (m_generation + 1) & ((std::uint64_t(1) << (64 - 2 * kIndexBits)) - 1);
        m_ticket.store((m_generation << (2 * kIndexBits)) | (std::uint64_t(count) << kIndexBits),
                       std::memory_order_release);
        m_wake.fetch_add(1, std::memory_order_release);
        m_wake.notify_all();
        t_inJob = true;
        work();
        t_inJob = false;
        // Blocks claimed by others may still run: wait for the last one (spin briefly, then sleep, which
        // frees this core for a worker the OS had descheduled).
        for (std::ptrdiff_t done = m_done.load(std::memory_order_acquire); done != count;
             done = m_done.load(std::memory_order_acquire))
            waitWhileEqual(m_done, done);
    }

private:
    // Claims and runs blocks of the current job until none is left.
    void work() {
        std::uint64_t t = m_ticket.load(std::memory_order_acquire);
        for (;;) {
            const std::uint64_t next = t & kIndexMask, count = (t >> kIndexBits) & kIndexMask;
            if (next >= count) return;
            if (!m_ticket.compare_exchange_weak(t, t + 1, std::memory_order_acq_rel,
                                                std::memory_order_acquire))
                continue;
            (*m_body)(std::ptrdiff_t(next));
            if (std::ptrdiff_t(m_done.fetch_add(1, std::memory_order_acq_rel)) + 1 == std::ptrdiff_t(count))
                m_done.notify_all();
            t = m_ticket.load(std::memory_order_acquire);
        }
    }

    void workerLoop(int index, std::uint32_t seen) {
        t_inJob = true;
        for (;;) {
            waitWhileEqual(m_wake, seen);
            seen = m_wake.load(std::memory_order_acquire);
            if (m_stop.load(std::memory_order_acquire)) return;
            if (index < m_helpers.load(std::memory_order_relaxed)) work();
        }
    }

    std::vector<std::thread> m_workers;
    const BlockFn* m_body = nullptr;
    std::uint64_t m_generation = 0; // the caller's only
    std::atomic<std::uint64_t> m_ticket{0};
    std::atomic<std::ptrdiff_t> m_done{0};
    std::atomic<std::uint32_t> m_wake{0};
    std::atomic<int> m_helpers{0};
    std::atomic<bool> m_stop{false};
};

} // namespace

void runBlocks(std::ptrdiff_t count, int threads, BlockFn body) {
    if (count <= 0) return;
    threads = int(std::min<std::ptrdiff_t>(threads, count));
    if (threads <= 1 || t_inJob) {
        for (std::ptrdiff_t k = 0; k < count; ++k) body(k);
        return;
    }
    thread_local std::unique_ptr<Team> team; // one per calling thread, joined when that thread ends
    if (!team) team = std::make_unique<Team>();
    if (count <= kMaxUnits) return team->run(count, threads, body);
    // More blocks than the counter holds: hand them out in runs of consecutive blocks.
    const std::ptrdiff_t group = (count + kMaxUnits - 1) / kMaxUnits;
    const auto grouped = [&](std::ptrdiff_t u) {
        for (std::ptrdiff_t k = u * group; k < std::min(count, (u + 1) * group); ++k) body(k);
    };
    team->run((count + group - 1) / group, threads, grouped);
}

bool inTeamJob() {
    return t_inJob;
}

} // namespace attnscope::nn
