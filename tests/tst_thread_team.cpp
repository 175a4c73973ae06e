// The engine's thread team (core/nn/thread_team.h) and the parallel loops on it (parallel.h): every block
// runs exactly once, nested jobs run inline, teams of different calling threads are independent, and blocks
// are claimed one at a time — a thread stuck in one block does not hold back the others (what keeps a run
// going when the OS deschedules one of its threads).
#include "core/nn/parallel.h"
#include "core/nn/thread_team.h"

#include <QtTest>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

using namespace attnscope;

class TestThreadTeam : public QObject {
    Q_OBJECT
private slots:
    void everyBlockOnce() {
        for (const int threads : {1, 2, 3, 5})
            for (const std::ptrdiff_t count : {0, 1, 2, 7, 64, 1000}) {
                std::vector<std::atomic<int>> hits(static_cast<std::size_t>(count));
                const auto body = [&](std::ptrdiff_t k) { hits[std::size_t(k)].fetch_add(1); };
                for (int repeat = 0; repeat < 20; ++repeat) nn::runBlocks(count, threads, body);
                for (const auto& h : hits) QCOMPARE(h.load(), 20);
            }
    }

    void parallelChunksCoversTheRangeInFixedBlocks() {
        omp_set_num_threads(3);
        std::vector<int> owner(1000, -1);
        std::atomic<int> calls{0}, badBounds{0};
        nn::parallelChunks(1000, 64, [&](std::ptrdiff_t b, std::ptrdiff_t e) {
            if (b % 64 != 0 || e != std::min<std::ptrdiff_t>(1000, b + 64)) badBounds.fetch_add(1);
            for (std::ptrdiff_t i = b; i < e; ++i) owner[std::size_t(i)] = int(b / 64);
            calls.fetch_add(1);
        });
        QCOMPARE(calls.load(), 16);
        QCOMPARE(badBounds.load(), 0);
        for (int i = 0; i < 1000; ++i) QCOMPARE(owner[std::size_t(i)], i / 64);
    }

    void nestedJobsRunInline() {
        std::atomic<int> inner{0}, nestedInJob{0};
        const auto outer = [&](std::ptrdiff_t) {
            const std::thread::id me = std::this_thread::get_id();
            const auto body = [&](std::ptrdiff_t) {
                inner.fetch_add(1);
                if (std::this_thread::get_id() != me) nestedInJob.fetch_add(1000); // would be a nested team
            };
            nn::runBlocks(4, 2, body);
        };
        nn::runBlocks(8, 2, outer);
        QCOMPARE(inner.load(), 32);
        QCOMPARE(nestedInJob.load(), 0);
        QVERIFY(!nn::inTeamJob());
    }

    // The defining property: a thread stuck inside block 0 (as if descheduled) does not stop the other
    // blocks — the rest of the team claims and finishes every one of them while it waits. With a static
    // split the stuck thread would own some of them and the wait below would time out.
    void aStuckThreadDoesNotHoldBackTheOthers() {
        constexpr std::ptrdiff_t count = 16;
        std::atomic<int> others{0};
        std::atomic<bool> sawAllOthers{false};
        const auto body = [&](std::ptrdiff_t k) {
            if (k != 0) {
                others.fetch_add(1);
                return;
            }
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
            while (others.load() < count - 1 && std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            sawAllOthers = others.load() == count - 1;
        };
        for (const int threads : {2, 3}) {
            others = 0, sawAllOthers = false;
            nn::runBlocks(count, threads, body);
            QVERIFY(sawAllOthers.load());
        }
    }

    // Two threads starting jobs at once (two trainers in one process) each get their own team.
    void callersHaveIndependentTeams() {
        std::atomic<long> sums[2] = {0, 0};
        auto caller = [&](int id) {
            for (int round = 0; round < 200; ++round) {
                const auto body = [&](std::ptrdiff_t k) { sums[id].fetch_add(long(k)); };
                nn::runBlocks(100, 2, body);
            }
        };
        std::thread a(caller, 0), b(caller, 1);
        a.join(), b.join();
        QCOMPARE(sums[0].load(), 200L * 4950);
        QCOMPARE(sums[1].load(), 200L * 4950);
    }
};

QTEST_APPLESS_MAIN(TestThreadTeam)
#include "tst_thread_team.moc"
