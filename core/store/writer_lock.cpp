#include "core/store/writer_lock.h"

#include "core/store/sqlite_db.h"
#include "core/util/error.h"
#include "core/util/input_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace attnscope {

namespace {

constexpr char kRunAppMarker[] = "attnscope"; // meta `app` of every run (run_schema.cpp)

// The holder as the file records it; a file whose meta cannot be read yet (the holder is still creating
// it) is described by its pid alone.
std::string recordedWriter(const std::string& path) {
    try {
        sqlite::Database db(path, sqlite::Database::Mode::ReadOnly, path);
        if (db.hasTable("meta")) {
            std::string writer = db.queryText("SELECT value FROM meta WHERE key = 'writer'");
            if (!writer.empty()) return writer;
        }
    } catch (const std::exception&) {
    }
    const std::string pid = WriterLock::holderPid(path);
    return pid.empty() ? "another process" : "pid " + pid;
}

[[noreturn]] void refuseHeld(const std::string& path) {
    throw Error(path + " is being written by " + recordedWriter(path) +
                "; one run file has one writer at a time. Wait until that run ends (or stop it), or write "
                "to another file.");
}

[[noreturn]] void refuseKind(const std::string& path, mode_t mode) {
    throw Error("Cannot write a run to " + path + ": it is " + fileTypeName(mode) +
                ", and a run file must be a regular file. Choose another output.");
}

bool sameFile(const struct stat& a, const struct stat& b) {
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// Whether the locked file at `path` (open as `fd`) may be replaced by a new run: an empty file, an AttnScope
// run, or a file that starts like a SQLite database but cannot be read (a damaged run); not a text file, an
// image, or another program's database.
void checkReplaceable(const std::string& path, int fd) {
    struct stat info {};
    if (::fstat(fd, &info) != 0 || info.st_size == 0) return;
    char magic[16] = {};
    const bool sqlite = ::pread(fd, magic, sizeof magic, 0) == ssize_t(sizeof magic) &&
                        std::memcmp(magic, "SQLite format 3", 16) == 0;
    bool foreign = !sqlite;
    if (sqlite) {
        try {
            sqlite::Database db(path, sqlite::Database::Mode::ReadOnly, path);
            foreign = !db.hasTable("meta") ||
                      db.queryText("SELECT value FROM meta WHERE key = 'app'") != kRunAppMarker;
        } catch (const Error&) {
            foreign = false; // unreadable: a damaged run is what --force is for
        }
    }
    if (foreign)
        throw Error(path + " exists and is not an AttnScope run file; overwriting replaces only run files. "
                           "Choose another output, or delete that file yourself.");
}

void removeCompanions(const std::string& path) {
    for (const char* suffix : {"-wal", "-shm", "-journal"}) ::unlink((path + suffix).c_str());
}

// Opens `path` with `flags`, locks it, and makes sure the path still names the locked file (it may have
// been deleted or replaced between open and flock); retries a few times when it does not.
int openLocked(const std::string& path, int flags, bool create) {
    for (int attempt = 0; attempt < 10; ++attempt) {
        struct stat before {};
        if (::stat(path.c_str(), &before) == 0 && !S_ISREG(before.st_mode)) refuseKind(path, before.st_mode);
        // O_NONBLOCK: a FIFO that appeared since the check must not block the open.
        const int fd = ::open(path.c_str(), flags | O_CLOEXEC | O_NONBLOCK, 0644);
        if (fd < 0) {
            const int error = errno;
            if (error == EEXIST)
                throw Error(path + " already exists. Choose another name, or allow overwriting it.");
            throw Error(std::string("Cannot ") + (create ? "create " : "open ") + path +
                        " for writing: " + std::strerror(error) + ".");
        }
        struct stat opened {};
        if (::fstat(fd, &opened) != 0 || !S_ISREG(opened.st_mode)) {
            ::close(fd);
            refuseKind(path, opened.st_mode);
        }
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            const int error = errno;
            ::close(fd);
            if (error == EWOULDBLOCK) refuseHeld(path);
            throw Error("Cannot lock " + path + " for writing: " + std::strerror(error) + ".");
        }
        struct stat now {};
        if (::stat(path.c_str(), &now) == 0 && sameFile(now, opened)) {
            ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
            return fd;
        }
        ::close(fd); // the path was replaced while we locked: lock what it names now
        if (!create) throw Error(path + " was removed while it was being opened for writing.");
    }
    throw Error("Cannot lock " + path + ": it keeps being replaced by another program.");
}

} // namespace

WriterLock WriterLock::create(const std::string& path, Create mode) {
    const int fd = openLocked(path, O_RDWR | O_CREAT | (mode == Create::New ? O_EXCL : 0), true);
    WriterLock lock(fd);
    if (mode == Create::Overwrite) {
        checkReplaceable(path, fd);
        // Under the lock: nobody else writes this file now, and nobody can start to.
        removeCompanions(path);
        if (::ftruncate(fd, 0) != 0)
            throw Error("Cannot overwrite " + path + ": " + std::strerror(errno) + ".");
    }
    return lock;
}

WriterLock WriterLock::openExisting(const std::string& path) {
    return WriterLock(openLocked(path, O_RDWR, false));
}

void WriterLock::removeLockedFile(const std::string& path) {
    if (m_fd < 0) return;
    ::unlink(path.c_str()); // while locked: a writer that opened it meanwhile finds it replaced and retries
    removeCompanions(path);
}

void WriterLock::checkNotHeld(const std::string& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return; // absent: creating it reports any problem
    if (!holderPid(path).empty()) refuseHeld(path);
}

std::string WriterLock::holderPid(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return {};
    char device[64];
    std::snprintf(device, sizeof device, "%02x:%02x:%llu", major(st.st_dev), minor(st.st_dev),
                  static_cast<unsigned long long>(st.st_ino));
    std::ifstream locks("/proc/locks");
    std::string line;
    while (std::getline(locks, line)) {
        // "3: FLOCK  ADVISORY  WRITE 847 fe:00:10978684 0 EOF"; waiters are marked "->"
        std::istringstream in(line);
        std::string id, kind, mode, access, pid, where;
        if (!(in >> id >> kind)) continue;
        if (kind == "->") continue;
        if (in >> mode >> access >> pid >> where && kind == "FLOCK" && access == "WRITE" && where == device)
            return pid;
    }
    return {};
}

std::string WriterLock::thisWriter() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "unknown host");
    return "pid " + std::to_string(::getpid()) + " on " + host;
}

WriterLock::WriterLock(WriterLock&& other) noexcept : m_fd(other.m_fd) {
    other.m_fd = -1;
}

WriterLock& WriterLock::operator=(WriterLock&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = other.m_fd;
        other.m_fd = -1;
    }
    return *this;
}

WriterLock::~WriterLock() {
    if (m_fd >= 0) ::close(m_fd);
}

} // namespace attnscope
