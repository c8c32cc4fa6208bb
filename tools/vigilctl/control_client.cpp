#include "control_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil::ctl {

ControlClient::~ControlClient() {
    if (fd_ >= 0) ::close(fd_);
}

bool ControlClient::send(const std::string& req, std::string& error) {
    sockaddr_un addr{};
    if (path_.size() >= sizeof addr.sun_path) {
        error = "socket path too long: " + path_;
        return false;
    }
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.c_str(), path_.size());
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        int e = errno;
        error = "cannot connect to vigild at " + path_ + ": " + std::strerror(e);
        if (e == EACCES || e == EPERM) error += " (the control socket is for root only)";
        if (e == ENOENT || e == ECONNREFUSED) error += " (is vigild running? use --socket PATH)";
        return false;
    }
    if (require_root_peer_) {
        ucred cred{};
        socklen_t len = sizeof cred;
        if (::getsockopt(fd_, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || cred.uid != 0) {
            error = "refusing " + path_ + ": it is served by uid " + std::to_string(cred.uid) + ", not root";
            return false;
        }
    }
    std::string line = req + "\n";
    const char* p = line.data();
    size_t n = line.size();
    while (n) {
        ssize_t w = ::send(fd_, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            error = std::string("send: ") + std::strerror(errno);
            return false;
        }
        p += w;
        n -= size_t(w);
    }
    return true;
}

bool ControlClient::read_line(std::string& line) {
    for (;;) {
        auto nl = buffer_.find('\n');
        if (nl != std::string::npos) {
            line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            return true;
        }
        char buf[65536];
        ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        buffer_.append(buf, size_t(r));
    }
}

}  // namespace vigil::ctl
