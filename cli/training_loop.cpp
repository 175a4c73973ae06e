#include "cli/training_loop.h"

#include "cli/common.h"
#include "cli/interrupts.h"
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

int runTrainingLoop(RunDriver& driver, const TrainingLoopOptions& options) {
    auto watch = driver.bus().subscribe(kFrontEndPendingBulky);
    Progress progress(driver.step(), driver.spec().train.steps, options.quiet);
    InterruptGuard interrupts;
    driver.start();

    bool stopRequested = false, warned = false;
    std::vector<TelemetryMessage> messages;
    for (;;) {
        // Read `finished` before draining, so the final pass sees every message the trainer published.
        const bool finished = driver.finished();
        if (interruptCount() > 0 && !stopRequested) {
            driver.requestStop();
            stopRequested = true;
            progress.message("stopping after the current step (Ctrl-C again to quit at once)…");
        }
        if (const std::string error = driver.recordingError(); !error.empty() && !warned) {
            progress.message("attnscope-cli: warning: " + error + " (retrying)");
            warned = true;
        }
        messages.clear();
        watch->drain(messages);
        for (const TelemetryMessage& m : messages)
            if (const auto* r = std::get_if<StepRecord>(&m)) progress.onStep(*r);
        progress.maybePrint();
        if (finished) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const RunOutcome last = driver.wait();
    progress.endLine();
    if (!last.recordingError.empty())
        throw Error("the run could not be saved completely: " + last.recordingError);

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
        throw Error("training failed at step " + std::to_string(last.step) + ": " + last.message +
                    " (recorded in " + run + ")");
    }
}

} // namespace attnscope::cli
