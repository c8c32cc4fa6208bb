// Test workloads: real processes, a loopback TCP listener, file operations.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "vigil/testing/loopback.hpp"

namespace vigil::behavior::test {

// Starts argv[0] with argv (stdin from `stdin_fd` when >= 0) and returns at once; reap it
// with waitpid.
inline pid_t spawn(std::vector<std::string> argv, int stdin_fd = -1) {
    pid_t pid = ::fork();
    if (pid == 0) {
        if (stdin_fd >= 0) ::dup2(stdin_fd, 0);
        std::vector<char*> a;
        for (auto& s : argv) a.push_back(s.data());
        a.push_back(nullptr);
        ::execv(a[0], a.data());
        ::_exit(127);
    }
    return pid;
}

// fork + exec argv and wait; returns the child's pid, *status its wait status.
inline pid_t run(std::vector<std::string> argv, int* status) {
    pid_t pid = spawn(std::move(argv));
    ::waitpid(pid, status, 0);
    return pid;
}

// A process whose stdin is a pipe this object holds: a shell running `read x` lives until
// release(), so its /proc entries stay readable however late a loaded machine runs the
// sensor thread. release() closes the pipe and reaps the child.
class HeldProcess {
public:
    explicit HeldProcess(std::vector<std::string> argv) {
        int p[2];
        if (::pipe2(p, O_CLOEXEC) != 0) return;  // the child keeps only its stdin copy
        pid_ = spawn(std::move(argv), p[0]);
        ::close(p[0]);
        write_fd_ = p[1];
    }
    ~HeldProcess() { release(); }
    HeldProcess(const HeldProcess&) = delete;
    HeldProcess& operator=(const HeldProcess&) = delete;
    pid_t pid() const { return pid_; }
    int release() {
        if (write_fd_ >= 0) ::close(write_fd_);
        write_fd_ = -1;
        if (pid_ > 0 && status_ < 0) ::waitpid(pid_, &status_, 0);
        return status_;
    }

private:
    pid_t pid_ = -1;
    int write_fd_ = -1;
    int status_ = -1;
};

// A TCP listener on 127.0.0.1:<ephemeral> that accepts, answers a minimal
// HTTP response after `delay_ms` and closes, in a thread of this process.
class LoopbackServer {
public:
    explicit LoopbackServer(int delay_ms = 0, int family = AF_INET) : delay_ms_(delay_ms) {
        if (family == AF_INET6) {
            fd_ = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_in6 a{};
            a.sin6_family = AF_INET6;
            a.sin6_addr = in6addr_loopback;
            ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
            socklen_t len = sizeof a;
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
            port_ = ntohs(a.sin6_port);
            ::listen(fd_, 16);
        } else {
            fd_ = vigil::testing::loopback_tcp_socket(port_, 16);
        }
        thread_ = std::thread([this] {
            for (;;) {
                int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
                if (c < 0) return;
                char buf[1024];
                (void)!::read(c, buf, sizeof buf);
                if (delay_ms_) ::usleep(useconds_t(delay_ms_) * 1000);
                const char resp[] = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok";
                (void)!::write(c, resp, sizeof resp - 1);
                ::close(c);
            }
        });
    }
    ~LoopbackServer() {
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        thread_.join();
    }
    uint16_t port() const { return port_; }

private:
    int fd_ = -1;
    uint16_t port_ = 0;
    int delay_ms_ = 0;
    std::thread thread_;
};

inline std::string make_temp_dir(const char* prefix) {
    std::string t = std::string("/tmp/") + prefix + std::to_string(::getpid()) + "_XXXXXX";
    std::vector<char> buf(t.begin(), t.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data())) return {};
    return std::string(buf.data());
}

}  // namespace vigil::behavior::test
