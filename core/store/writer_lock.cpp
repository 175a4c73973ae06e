#include "core/store/writer_lock.h"

#include "core/store/sqlite_db.h"
#include "core/util/error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace attnscope {

namespace {

// The holder as the file records it; a file whose meta cannot be read yet (the holder is still creating
// it) is described generically rather than failing a second time.
std::string recordedWriter(const std::string& path) {
    try {
        sqlite::Database db(path, sqlite::Database::Mode::ReadOnly, path);
        if (db.hasTable("meta")) {
            const std::string writer = db.queryText("SELECT value FROM meta WHERE key = 'writer'");
            if (!writer.empty()) return writer;
        }
    } catch (const std::exception&) {
    }
    return "another process";
}

[[noreturn]] void refuse(const std::string& path) {
    throw Error(path + " is being written by " + recordedWriter(path) +
                "; one run file has one writer at a time. Wait until that run ends (or stop it), or write "
                "to another file.");
}

} // namespace

WriterLock WriterLock::acquire(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw Error("Cannot open " + path + " for writing: " + std::strerror(errno) + ".");
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        ::close(fd);
        if (error == EWOULDBLOCK) refuse(path);
        throw Error("Cannot lock " + path + " for writing: " + std::strerror(error) + ".");
    }
    return WriterLock(fd);
}

void WriterLock::checkNotHeld(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return; // absent (or unreadable: creating over it reports that)
    const bool free = ::flock(fd, LOCK_EX | LOCK_NB) == 0 || errno != EWOULDBLOCK;
    ::close(fd); // also releases the probe's lock
    if (!free) refuse(path);
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
