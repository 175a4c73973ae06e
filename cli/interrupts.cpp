#include "cli/interrupts.h"

#include <atomic>
#include <csignal>
#include <unistd.h>

namespace attnscope::cli {

namespace {

// Counted by the signal handler, polled by the command. A lock-free atomic is async-signal-safe.
std::atomic<int> g_interrupts{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void onInterrupt(int) {
    if (g_interrupts.fetch_add(1) >= 1) {
        const char message[] = "\nattnscope-cli: interrupted again; quitting without a final checkpoint\n";
        [[maybe_unused]] const auto written = ::write(STDERR_FILENO, message, sizeof message - 1);
        _exit(130);
    }
}

} // namespace

struct InterruptGuard::Saved {
    struct sigaction oldInt {
    }, oldTerm{};
};

InterruptGuard::InterruptGuard() : m_saved(new Saved) {
    g_interrupts = 0;
    struct sigaction action {};
    action.sa_handler = onInterrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &m_saved->oldInt);
    sigaction(SIGTERM, &action, &m_saved->oldTerm);
}

InterruptGuard::~InterruptGuard() {
    sigaction(SIGINT, &m_saved->oldInt, nullptr);
    sigaction(SIGTERM, &m_saved->oldTerm, nullptr);
    delete m_saved;
}

int interruptCount() {
    return g_interrupts.load();
}

} // namespace attnscope::cli
