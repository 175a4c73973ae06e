#pragma once
// One writer per run file, the protocol shared with the Python writer (python/attnscope/writer.py):
//
//  * A writer holds flock(fd, LOCK_EX | LOCK_NB) on the run file itself, through its own descriptor opened
//    before SQLite opens the file, for its whole lifetime, and records meta key `writer` = "pid <pid> on
//    <hostname>". A second writer fails at once with a message naming the file and that holder.
//  * The run file is never deleted or renamed by a writer: creating over an existing run opens that same
//    file, locks it, and only then truncates it and removes its -wal/-shm. So every writer of a path locks
//    the same inode, and there is no moment between checking the lock and holding it in which another
//    writer could create a file of its own (check and creation are one step: the lock).
//  * After locking, the writer checks that the path still names the inode it locked (someone may have
//    deleted or replaced the file in between) and starts over if not.
//  * Only a regular file can be a run: a device, FIFO or socket at the path is refused.
//
// Readers never take the lock; they look it up in /proc/locks (holderPid) to tell a live run from one
// whose writer died. flock and SQLite's own fcntl byte-range locks are independent on Linux, so the lock
// does not disturb SQLite.
#include <string>

namespace attnscope {

class WriterLock {
public:
    enum class Create { New, Overwrite };
    // Creates (or, with Overwrite, takes over) the run file at `path` and locks it; on return the file is
    // empty and has no -wal/-shm. New refuses an existing path; Overwrite refuses anything but an existing
    // AttnScope run file (or an empty file). Throws attnscope::Error naming the file and, when locked, its
    // holder.
    static WriterLock create(const std::string& path, Create mode);
    // Locks an existing run file for appending. Throws like create().
    static WriterLock openExisting(const std::string& path);
    // Throws like create() when `path` exists and is held by a writer; does nothing otherwise. An early,
    // advisory check before slow work (the lock itself is only taken by create/openExisting).
    static void checkNotHeld(const std::string& path);
    // The pid of the process holding a writer's lock on `path` (from /proc/locks, without touching the
    // lock), or "" when none does.
    static std::string holderPid(const std::string& path);

    // "pid <pid> on <hostname>": the value this process writes as meta `writer`.
    static std::string thisWriter();

    WriterLock() = default;
    WriterLock(WriterLock&& other) noexcept;
    WriterLock& operator=(WriterLock&& other) noexcept;
    ~WriterLock(); // releases the lock (closing the descriptor)
    WriterLock(const WriterLock&) = delete;
    WriterLock& operator=(const WriterLock&) = delete;

    bool held() const { return m_fd >= 0; }
    // Removes the file and its -wal/-shm while the lock is still held (a creation that failed halfway).
    void removeLockedFile(const std::string& path);

private:
    explicit WriterLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

} // namespace attnscope
