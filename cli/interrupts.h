#pragma once
// Ctrl-C / SIGTERM for long commands (train, resume, sweep): the first signal asks for a clean stop (the
// command polls interruptCount()), a second one quits at once with status 130 — run files keep everything
// committed so far (SQLite WAL).
namespace attnscope::cli {

// Installs the handler for its lifetime and restores the previous one; resets the count.
class InterruptGuard {
public:
    InterruptGuard();
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    struct Saved;
    Saved* m_saved;
};

int interruptCount(); // signals received since the guard was installed

} // namespace attnscope::cli
