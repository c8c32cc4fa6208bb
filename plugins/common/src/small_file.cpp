#include "vigil/common/small_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "vigil/common/errno_text.hpp"

namespace vigil::common {

namespace {

struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

// Reads up to max + 1 bytes so "exactly at the limit" and "over it" differ.
std::string read_bounded(int fd, size_t max, const std::string& path) {
    std::string out;
    char buf[16384];
    while (out.size() <= max) {
        const size_t want = std::min(sizeof buf, max + 1 - out.size());
        ssize_t n = ::read(fd, buf, want);
        if (n < 0) {
            if (errno == EINTR) continue;
            // A FIFO with no writer yet: nothing to read.
            if (errno == EAGAIN) break;
            throw sys_error("cannot read " + path);
        }
        if (n == 0) break;
        out.append(buf, size_t(n));
    }
    return out;
}

}  // namespace

std::optional<std::string> read_small_file(const std::string& path, const ReadOptions& o) {
    const int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (o.nofollow ? O_NOFOLLOW : 0);
    Fd f{::open(path.c_str(), flags)};
    if (f.fd < 0) {
        if (errno == ENOENT) return std::nullopt;
        throw sys_error("cannot open " + path);
    }
    std::string out = read_bounded(f.fd, o.max_bytes, path);
    if (out.size() > o.max_bytes) {
        if (!o.truncate)
            throw std::runtime_error("file too large: " + path + " (over " + std::to_string(o.max_bytes) +
                                     " bytes)");
        out.resize(o.max_bytes);
    }
    return out;
}

std::string read_file_or_empty(const std::string& path, size_t max_bytes) {
    try {
        auto text = read_small_file(path, {.max_bytes = max_bytes, .truncate = true});
        return text ? std::move(*text) : std::string();
    } catch (const std::exception&) {
        return {};
    }
}

std::string read_until_eof(int fd, size_t max_bytes) {
    std::string out;
    char buf[16384];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return out;
        out.append(buf, std::min(size_t(n), max_bytes - std::min(max_bytes, out.size())));
    }
}

}  // namespace vigil::common
