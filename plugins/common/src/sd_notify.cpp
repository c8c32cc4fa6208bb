#include <vigil/common/sd_notify.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace vigil::common {

namespace {
std::string take_env(const char* name) {
    const char* v = std::getenv(name);
    std::string out = v ? v : "";
    ::unsetenv(name);
    return out;
}

// A text line must not smuggle another assignment into the datagram.
std::string one_line(std::string_view s) {
    std::string out(s.substr(0, 512));
    for (char& c : out)
        if (c == '\n' || c == '\r') c = ' ';
    return out;
}
}  // namespace

SystemdNotifier SystemdNotifier::from_environment() {
    std::string socket = take_env("NOTIFY_SOCKET");
    std::string usec = take_env("WATCHDOG_USEC");
    std::string pid = take_env("WATCHDOG_PID");
    std::chrono::microseconds wd{0};
    // WATCHDOG_PID, when set, names the process the watchdog is meant for
    // (a wrapper may have been exec'd in between).
    bool for_us = pid.empty() || std::strtoll(pid.c_str(), nullptr, 10) == ::getpid();
    if (!usec.empty() && for_us) {
        char* end = nullptr;
        unsigned long long v = std::strtoull(usec.c_str(), &end, 10);
        if (end && !*end && v > 0) wd = std::chrono::microseconds(v);
    }
    // Only an absolute path or an abstract name is a valid address.
    if (!socket.empty() && socket[0] != '/' && socket[0] != '@') socket.clear();
    return SystemdNotifier(std::move(socket), wd);
}

SystemdNotifier::SystemdNotifier(std::string socket, std::chrono::microseconds watchdog)
    : socket_(std::move(socket)), watchdog_(watchdog) {}

bool SystemdNotifier::send(std::string_view state) const {
    if (socket_.empty()) return true;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_.size() >= sizeof addr.sun_path) {
        errno = ENAMETOOLONG;
        return false;
    }
    std::memcpy(addr.sun_path, socket_.data(), socket_.size());
    if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
    socklen_t len = socklen_t(offsetof(sockaddr_un, sun_path) + socket_.size());
    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    ssize_t n;
    do {
        n = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&addr), len);
    } while (n < 0 && errno == EINTR);
    int saved = errno;
    ::close(fd);
    errno = saved;
    return n == ssize_t(state.size());
}

bool SystemdNotifier::ready(std::string_view status) const {
    return send(status.empty() ? std::string("READY=1") : "READY=1\nSTATUS=" + one_line(status));
}

bool SystemdNotifier::reloading() const {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t usec = uint64_t(ts.tv_sec) * 1000000u + uint64_t(ts.tv_nsec) / 1000u;
    return send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

bool SystemdNotifier::stopping() const { return send("STOPPING=1"); }
bool SystemdNotifier::watchdog_ping() const { return send("WATCHDOG=1"); }
bool SystemdNotifier::status(std::string_view text) const { return send("STATUS=" + one_line(text)); }

}  // namespace vigil::common
