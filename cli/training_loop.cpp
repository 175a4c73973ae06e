#include "cli/training_loop.h"

#include "cli/common.h"
#include "cli/interrupts.h"
#include "core/store/run_recorder.h"
#include "core/util/error.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>
#include <unistd.h>

namespace attnscope::cli {

namespace {

using Clock = std::chrono::steady_clock;

// 23456 → "23.5k": throughput reads at a glance.
std::string compactCount(double v) {
    char buf[32];
    if (v < 1e3)
        std::snprintf(buf, sizeof buf, "%.0f", v);
    else if (v < 1e6)
        std::snprintf(buf, sizeof buf, "%.1fk", v / 1e3);
    else
        std::snprintf(buf, sizeof buf, "%.2fM", v / 1e6);
    return buf;
}

// The progress line: redrawn in place (≤ 4 per second) on a terminal, a plain line every 10 s otherwise.
class Progress {
public:
    Progress(int firstStep, int totalSteps, bool quiet)
        : m_quiet(quiet), m_tty(isatty(STDERR_FILENO) == 1), m_firstStep(firstStep), m_total(totalSteps),
          m_start(Clock::now()), m_lastPrint(Clock::now()) {}

    void onStep(const StepRecord& r) {
        m_step = r.step;
        m_loss = r.loss;
        if (!std::isnan(r.valLoss)) m_valLoss = r.valLoss;
        // Exponential average: per-step throughput jitters too much to read.
        m_tokensPerSec = m_tokensPerSec == 0 ? r.tokensPerSec : 0.9 * m_tokensPerSec + 0.1 * r.tokensPerSec;
    }

    void maybePrint() {
        if (m_quiet || m_step == 0) return;
        const auto now = Clock::now();
        const double interval = m_tty ? 0.25 : 10.0;
        if (std::chrono::duration<double>(now - m_lastPrint).count() < interval) return;
        m_lastPrint = now;
        if (m_tty)
            std::fprintf(stderr, "\r%s\033[K", line().c_str());
        else
            std::fprintf(stderr, "%s\n", line().c_str());
        m_drawn = m_tty;
        std::fflush(stderr);
    }

    // Prints a message on its own line (ending the in-place line first).
    void message(const std::string& text) {
        endLine();
        std::fprintf(stderr, "%s\n", text.c_str());
        std::fflush(stderr);
    }

    void endLine() {
        if (m_drawn) std::fprintf(stderr, "\r%s\033[K\n", line().c_str());
        m_drawn = false;
    }

    double lastLoss() const { return m_loss; }
    double lastValLoss() const { return m_valLoss; }

private:
    std::string line() const {
        const double elapsed = std::chrono::duration<double>(Clock::now() - m_start).count();
        const int done = m_step - m_firstStep;
        const double eta = done > 0 ? elapsed / done * (m_total - m_step) : NAN;
        const int percent = m_total > 0 ? int(100.0 * m_step / m_total) : 0;
        char buf[256];
        std::snprintf(buf, sizeof buf, "step %d/%d (%d%%)  loss %s  val %s  %s tok/s  ETA %s", m_step,
                      m_total, percent, roundedNumber(m_loss).c_str(), roundedNumber(m_valLoss).c_str(),
                      compactCount(m_tokensPerSec).c_str(), humanDuration(eta).c_str());
        return buf;
    }

    bool m_quiet, m_tty, m_drawn = false;
    int m_firstStep, m_total, m_step = 0;
    double m_loss = NAN, m_valLoss = NAN, m_tokensPerSec = 0;
    Clock::time_point m_start, m_lastPrint;
};

} // namespace

int runTrainingLoop(Trainer& trainer, RunWriter writer, const TrainingLoopOptions& options) {
    RunRecorder recorder(trainer.bus().subscribe(), std::move(writer));
    auto watch = trainer.bus().subscribe();
    Progress progress(trainer.step(), trainer.spec().train.steps, options.quiet);
    InterruptGuard interrupts;

    std::atomic<bool> done{false};
    std::string failure;
    std::thread worker;
    // Whatever leaves this function (even an exception from the loop below), the trainer is stopped and its
    // thread joined first: a joinable std::thread in a destructor would terminate the process.
    struct StopAndJoin {
        Trainer& trainer;
        std::thread& thread;
        ~StopAndJoin() {
            if (!thread.joinable()) return;
            trainer.requestStop();
            thread.join();
        }
    } stopAndJoin{trainer, worker};
    worker = std::thread([&] {
        try {
            trainer.run();
        } catch (const std::exception& e) {
            failure = e.what();
        } catch (...) {
            failure = "unknown error";
        }
        if (!failure.empty()) trainer.bus().publish(StatusChange{RunStatus::Failed, trainer.step(), failure});
        done = true;
    });

    StatusChange last;
    bool stopRequested = false, warned = false;
    std::vector<TelemetryMessage> messages;
    for (;;) {
        // Read `done` before draining, so the final pass sees every message the trainer published.
        const bool finished = done.load();
        if (interruptCount() > 0 && !stopRequested) {
            trainer.requestStop();
            stopRequested = true;
            progress.message("stopping after the current step (Ctrl-C again to quit at once)…");
        }
        recorder.pump();
        if (!recorder.healthy() && !warned) {
            progress.message("attnscope-cli: warning: " + recorder.error() + " (retrying)");
            warned = true;
        }
        messages.clear();
        watch->drain(messages);
        for (const TelemetryMessage& m : messages) {
            if (const auto* r = std::get_if<StepRecord>(&m))
                progress.onStep(*r);
            else if (const auto* s = std::get_if<StatusChange>(&m))
                last = *s;
        }
        progress.maybePrint();
        if (finished) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    worker.join();
    progress.endLine();
    // A transient write failure (disk momentarily full) gets a few more chances before we give up.
    for (int attempt = 0; attempt < 5 && (!recorder.healthy() || recorder.pendingMessages() > 0); ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        recorder.pump();
    }
    if (!recorder.healthy()) throw Error("the run could not be saved completely: " + recorder.error());

    const std::string& run = options.runPath;
    switch (last.status) {
    case RunStatus::Finished:
        std::printf("finished %d steps: loss %s, val loss %s → %s\n", last.step,
                    roundedNumber(progress.lastLoss()).c_str(), roundedNumber(progress.lastValLoss()).c_str(),
                    run.c_str());
        return 0;
    case RunStatus::Stopped:
        std::printf("stopped at step %d; resume with: attnscope-cli resume %s\n", last.step, run.c_str());
        return 0;
    case RunStatus::Diverged:
        std::printf(
            "diverged at step %d (the loss or gradient became non-finite); the steps before it are in %s\n",
            last.step, run.c_str());
        return 0;
    default:
        throw Error("training failed at step " + std::to_string(last.step) + ": " +
                    (last.message.empty() ? failure : last.message));
    }
}

} // namespace attnscope::cli
