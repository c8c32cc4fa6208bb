// A datagram socket standing in for systemd's notify socket ($NOTIFY_SOCKET), for tests of
// the sd_notify protocol (vigild, vigil-central).
#pragma once
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

namespace vigil::testing {

class FakeNotifySocket {
public:
    // Binds `path`, or the abstract name `path` when abstract (address() is then "@path").
    explicit FakeNotifySocket(const std::string& path, bool abstract = false) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::memcpy(a.sun_path + (abstract ? 1 : 0), path.c_str(), path.size());
        auto len = socklen_t(offsetof(sockaddr_un, sun_path) + path.size() + (abstract ? 1 : 0));
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0)
            throw std::system_error(errno, std::generic_category(), "notify socket " + path);
        address_ = abstract ? "@" + path : path;
    }
    ~FakeNotifySocket() { ::close(fd_); }
    FakeNotifySocket(const FakeNotifySocket&) = delete;
    FakeNotifySocket& operator=(const FakeNotifySocket&) = delete;

    const std::string& address() const { return address_; }

    // Datagrams received within `wait`.
    std::vector<std::string> drain(std::chrono::milliseconds wait) {
        std::vector<std::string> out;
        auto until = std::chrono::steady_clock::now() + wait;
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, int(left.count())) <= 0) break;
            char buf[4096];
            ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n > 0) out.emplace_back(buf, size_t(n));
        }
        return out;
    }

private:
    int fd_ = -1;
    std::string address_;
};

}  // namespace vigil::testing
