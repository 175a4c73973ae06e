#pragma once
// One writer per run file (shared with the Python writer): a writer holds
// flock(fd, LOCK_EX | LOCK_NB) on the run file itself, through its own file descriptor opened before SQLite
// opens the file, for its whole lifetime, and records meta key `writer` = "pid <pid> on <hostname>". A
// second writer fails at once with a message naming the file and that holder. Readers never lock. flock
// and SQLite's own fcntl byte-range locks are independent on Linux, so the lock does not disturb SQLite.
#include <string>

namespace attnscope {

class WriterLock {
public:
    // Takes the lock on `path`, creating an empty file when it does not exist (an empty file is a valid new
    // SQLite database). Throws attnscope::Error naming the file and the holder when another writer (in this
    // or another process) holds it.
    static WriterLock acquire(const std::string& path);
    // Throws like acquire() when `path` exists and is held by a writer; does nothing otherwise. Used before
    // replacing a file (`train --force`), which must not pull a file from under its writer.
    static void checkNotHeld(const std::string& path);

    // "pid <pid> on <hostname>": the value this process writes as meta `writer`.
    static std::string thisWriter();

    WriterLock() = default;
    WriterLock(WriterLock&& other) noexcept;
    WriterLock& operator=(WriterLock&& other) noexcept;
    ~WriterLock(); // releases the lock (closing the descriptor)
    WriterLock(const WriterLock&) = delete;
    WriterLock& operator=(const WriterLock&) = delete;

    bool held() const { return m_fd >= 0; }

private:
    explicit WriterLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

} // namespace attnscope
