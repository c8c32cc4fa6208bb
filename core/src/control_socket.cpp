#include "control_socket.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "log.hpp"
#include "vigil/common/trusted_path.hpp"

namespace vigil::core {

void tighten_umask() {
    const mode_t old = ::umask(022);
    ::umask(old | 022);
}

namespace {

// The socket's directory: created root-only when missing, and refused when
// someone else could swap the socket or a link in it.
bool check_parent(const std::string& path, std::string& error) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos || slash == 0) return true;  // "/x.sock" or relative: "/" and cwd
    const std::string parent = path.substr(0, slash);
    if (::mkdir(parent.c_str(), 0755) != 0 && errno != EEXIST) {
        error = "control socket directory " + parent + ": " + std::strerror(errno);
        return false;
    }
    try {
        const std::string warning =
            common::require_trusted_path(parent, "control socket directory", common::PathKind::directory);
        if (!warning.empty()) log_warn("control", warning);
    } catch (const common::UntrustedPath& e) {
        error = e.what();
        return false;
    }
    return true;
}

// chmod without following a link at `path` (glibc does it through O_PATH);
// where that is not supported the trusted directory already rules out a swap.
int chmod_nofollow(const std::string& path, unsigned mode) {
    if (::fchmodat(AT_FDCWD, path.c_str(), mode, AT_SYMLINK_NOFOLLOW) == 0) return 0;
    if (errno != ENOTSUP && errno != EOPNOTSUPP) return -1;
    return ::chmod(path.c_str(), mode);
}

}  // namespace

int listen_control_socket(const std::string& path, unsigned mode, std::string& error) {
    sockaddr_un addr{};
    if (path.size() >= sizeof addr.sun_path) {
        error = "control socket path too long: " + path;
        return -1;
    }
    if (!check_parent(path, error)) return -1;
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && !S_ISSOCK(st.st_mode)) {
        error = "control socket " + path + ": exists and is not a socket (refusing to remove it)";
        return -1;
    }
    ::unlink(path.c_str());  // a stale socket of an earlier run
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = std::string("socket: ") + std::strerror(errno);
        return -1;
    }
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size());
    // With umask 022 or tighter the new socket has no write bit for others,
    // so nobody else can connect before the mode is set.
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || chmod_nofollow(path, mode) != 0 ||
        ::listen(fd, 16) != 0) {
        error = "control socket " + path + ": " + std::strerror(errno);
        ::close(fd);
        return -1;
    }
    return fd;
}

}  // namespace vigil::core
