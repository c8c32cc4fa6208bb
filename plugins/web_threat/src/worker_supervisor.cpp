#include "worker_supervisor.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <vector>
#include <vigil/json_reader.hpp>

#include "worker_control.hpp"

namespace vigil::web_threat {

namespace {

int pidfd_open(pid_t pid) { return int(syscall(SYS_pidfd_open, pid, 0)); }

std::string exit_text(int status) {
    if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
    return "ended";
}

// The worker's environment: nothing of vigild's but the developer override.
std::vector<std::string> worker_env() {
    std::vector<std::string> env{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
    if (const char* v = std::getenv("VIGIL_INSECURE_DEV_PERMISSIONS")) env.push_back(std::string("VIGIL_INSECURE_DEV_PERMISSIONS=") + v);
    return env;
}

// Sends the whole config over the stream socket, then closes it (EOF ends it).
void send_config(int fd, const std::string& text) {
    size_t off = 0;
    while (off < text.size()) {
        const ssize_t n = ::send(fd, text.data() + off, text.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        off += size_t(n);
    }
    ::close(fd);
}

}  // namespace

const char* phase_name(WorkerState::Phase p) {
    switch (p) {
        case WorkerState::Phase::starting: return "starting";
        case WorkerState::Phase::running: return "running";
        case WorkerState::Phase::down: return "down";
        default: return "stopped";
    }
}

WorkerSupervisor::WorkerSupervisor(std::string path, std::string config_json, Callbacks cb, int restart_ms)
    : path_(std::move(path)), config_(std::move(config_json)), cb_(std::move(cb)), restart_ms_(restart_ms) {}

WorkerSupervisor::~WorkerSupervisor() { stop(); }

void WorkerSupervisor::start() {
    if (thread_.joinable()) return;
    stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
    thread_ = std::thread([this] { loop(); });
}

void WorkerSupervisor::stop() {
    if (!thread_.joinable()) return;
    const uint64_t one = 1;
    (void)!::write(stop_fd_, &one, sizeof one);
    thread_.join();
    ::close(stop_fd_);
    stop_fd_ = -1;
    std::lock_guard<std::mutex> g(mu_);
    state_.phase = WorkerState::Phase::stopped;
    state_.pid = 0;
}

WorkerState WorkerSupervisor::state() const {
    std::lock_guard<std::mutex> g(mu_);
    return state_;
}

bool WorkerSupervisor::pause_ms(int ms) {
    pollfd p{stop_fd_, POLLIN, 0};
    return ::poll(&p, 1, ms) == 0;
}

bool WorkerSupervisor::spawn_one(int& pidfd, int& report_fd) {
    int cfg[2], rep[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cfg) != 0) return false;
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, rep) != 0) {
        ::close(cfg[0]);
        ::close(cfg[1]);
        return false;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, cfg[1], 3);
    posix_spawn_file_actions_adddup2(&fa, rep[1], 4);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
    std::vector<std::string> env = worker_env();
    std::vector<char*> envp, argv{const_cast<char*>(path_.c_str()), nullptr};
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, path_.c_str(), &fa, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ::close(cfg[1]);
    ::close(rep[1]);
    if (rc != 0) {
        ::close(cfg[0]);
        ::close(rep[0]);
        std::lock_guard<std::mutex> g(mu_);
        state_.last_error = path_ + ": " + std::strerror(rc);
        return false;
    }
    pidfd = pidfd_open(pid);
    report_fd = rep[0];
    {
        std::lock_guard<std::mutex> g(mu_);
        state_.phase = WorkerState::Phase::starting;
        state_.pid = pid;
        ++state_.starts;
        report_fd_ = rep[0];
    }
    send_config(cfg[0], config_);
    return true;
}

void WorkerSupervisor::on_message(const std::string& msg) {
    if (msg == R"({"type":"ready"})") {
        WorkerState now;
        {
            std::lock_guard<std::mutex> g(mu_);
            state_.phase = WorkerState::Phase::running;
            now = state_;
        }
        if (cb_.ready) cb_.ready(now);
        return;
    }
    const bool error = msg.rfind(R"({"type":"error")", 0) == 0, lists = msg.rfind(R"({"type":"lists_)", 0) == 0;
    if (!error && !lists) {
        if (cb_.report) cb_.report(msg);
        return;
    }
    WorkerState now;
    {
        std::lock_guard<std::mutex> g(mu_);
        try {
            const json::Value v = json::parse(msg);
            const json::Value* text = v.find("message");
            if (error) {
                state_.last_error = text ? text->as_string() : "";
            } else if (const json::Value* gen = v.find("generation")) {
                state_.lists_generation = gen->as_uint64();
                state_.lists_error = text ? text->as_string() : "";
            }
        } catch (const std::exception&) {
            state_.last_error = "unreadable message from the worker";
        }
        now = state_;
    }
    if (lists && cb_.lists) cb_.lists(now);
}

bool WorkerSupervisor::send(const std::string& msg, int fd) {
    std::lock_guard<std::mutex> g(mu_);
    if (report_fd_ < 0) return false;
    return send_message(report_fd_, msg, fd, MSG_DONTWAIT | MSG_NOSIGNAL);
}

bool WorkerSupervisor::watch(int pidfd, int report_fd) {
    std::string buf(65536, '\0');
    for (;;) {
        pollfd p[3] = {{stop_fd_, POLLIN, 0}, {report_fd, POLLIN, 0}, {pidfd, POLLIN, 0}};
        if (::poll(p, 3, -1) < 0) continue;
        if (p[0].revents) return false;
        if (p[1].revents & POLLIN) {
            const ssize_t n = ::recv(report_fd, buf.data(), buf.size(), MSG_DONTWAIT);
            if (n > 0) {
                on_message(std::string(buf.data(), size_t(n)));
                continue;
            }
        }
        // Reports first: the worker's last words arrive before its exit.
        if (p[2].revents) return true;
        if (p[1].revents & (POLLHUP | POLLERR)) return true;
    }
}

void WorkerSupervisor::reap(int pidfd, bool graceful) {
    pid_t pid;
    {
        std::lock_guard<std::mutex> g(mu_);
        pid = state_.pid;
    }
    if (!graceful) {
        ::kill(pid, SIGKILL);  // a closed report socket but still alive: not trusted any more
    } else {
        ::kill(pid, SIGTERM);
        pollfd p{pidfd, POLLIN, 0};
        if (::poll(&p, 1, 2000) <= 0) ::kill(pid, SIGKILL);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    ::close(pidfd);
    std::lock_guard<std::mutex> g(mu_);
    state_.last_exit = exit_text(status);
    state_.phase = WorkerState::Phase::down;
    state_.pid = 0;
}

void WorkerSupervisor::loop() {
    for (;;) {
        int pidfd = -1, report_fd = -1;
        if (!spawn_one(pidfd, report_fd)) {
            if (!pause_ms(restart_ms_ * 4)) return;
            continue;
        }
        const bool exited = watch(pidfd, report_fd);
        reap(pidfd, !exited);
        {
            std::lock_guard<std::mutex> g(mu_);
            report_fd_ = -1;
            ::close(report_fd);
        }
        if (!exited) return;
        if (cb_.down) cb_.down(state());
        if (!pause_ms(restart_ms_)) return;
    }
}

}  // namespace vigil::web_threat
