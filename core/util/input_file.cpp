#include "core/util/input_file.h"

#include "core/util/error.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace attnscope {

namespace {

std::string megabytes(std::size_t bytes) {
    return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MB";
}

} // namespace

std::string fileTypeName(unsigned mode) {
    if (S_ISDIR(mode)) return "a folder";
    if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
    if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

std::string readInputFile(const std::string& path, std::size_t maxBytes, const std::string& label) {
    // O_NONBLOCK: opening a FIFO without a writer must not wait; the type check below then refuses it.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        const int error = errno;
        if (error == ENOENT) throw Error(label + " does not exist.");
        throw Error(label + " cannot be opened for reading (" + std::strerror(error) + ").");
    }
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        const int error = errno;
        ::close(fd);
        throw Error(label + " cannot be read (" + std::strerror(error) + ").");
    }
    if (!S_ISREG(info.st_mode)) {
        ::close(fd);
        throw Error(label + " is " + fileTypeName(info.st_mode) + ", not a regular file; give a file.");
    }
    if (std::size_t(info.st_size) > maxBytes) {
        ::close(fd);
        throw Error(label + " is " + megabytes(std::size_t(info.st_size)) + ", more than the " +
                    megabytes(maxBytes) + " this input may have.");
    }
    std::string bytes(std::size_t(info.st_size), '\0');
    std::size_t have = 0;
    for (;;) {
        if (have == bytes.size()) { // the file grew while being read: take what fits the bound
            if (bytes.size() >= maxBytes) break;
            bytes.resize(std::min(maxBytes, bytes.size() * 2 + 4096));
        }
        const ssize_t n = ::read(fd, bytes.data() + have, bytes.size() - have);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int error = errno;
            ::close(fd);
            throw Error(label + " could not be read (" + std::strerror(error) + ").");
        }
        if (n == 0) break;
        have += std::size_t(n);
    }
    ::close(fd);
    bytes.resize(have);
    return bytes;
}

} // namespace attnscope
