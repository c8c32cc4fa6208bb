#include "vigil/common/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace vigil::common {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& why) {
    throw std::runtime_error("secret file " + path + ": " + why);
}

std::string octal(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

}  // namespace

std::string read_secret_text(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) fail(path, std::strerror(errno));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) fail(path, std::strerror(errno));
    if (!S_ISREG(st.st_mode)) fail(path, "not a regular file");
    if (st.st_mode & 077)
        fail(path, "mode " + octal(st.st_mode) + " lets group or others access it; chmod 600 it (and make a new secret)");
    if (st.st_uid != ::geteuid() && st.st_uid != 0)
        fail(path, "belongs to uid " + std::to_string(st.st_uid) + ", not to this user or root");
    if (st.st_size > 4096) fail(path, "larger than 4096 bytes");
    char buf[4097];
    ssize_t n = 0;
    size_t got = 0;
    while ((n = ::read(fd, buf + got, sizeof buf - 1 - got)) > 0) got += static_cast<size_t>(n);
    if (n < 0) fail(path, std::strerror(errno));
    return std::string(buf, got);
}

std::string read_secret_file(const std::string& path) {
    std::string text = read_secret_text(path);
    text = text.substr(0, text.find('\n'));
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) text.pop_back();
    if (text.empty()) fail(path, "empty");
    return text;
}

}  // namespace vigil::common
