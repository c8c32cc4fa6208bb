#pragma once
// Child processes for tests: started by fork + exec (or a function), owned by
// the test, and killed and reaped by PID when the test is done — never by
// name, never anyone else's.
//
//   auto sleeper = vigil::testing::ChildProcess::spawn({"/bin/sleep", "30"});
//   sleeper.wait_exec();                       // it runs the new image now
//   ... act on sleeper.pid() ...
//   CHECK(sleeper.wait(std::chrono::seconds(5)) == ChildProcess::killed_by(SIGTERM));

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace vigil::testing {

class ChildProcess {
public:
    // Runs argv[0] (an absolute path, no PATH search) with argv; stdin and
    // stdout go to /dev/null unless keep_stdio. Throws when fork fails.
    static ChildProcess spawn(std::vector<std::string> argv, bool keep_stdio = false) {
        if (argv.empty()) throw std::invalid_argument("ChildProcess::spawn: empty argv");
        return run([argv]() mutable -> int {
            std::vector<char*> a;
            for (auto& s : argv) a.push_back(s.data());
            a.push_back(nullptr);
            ::execv(a[0], a.data());
            return 127;
        }, keep_stdio);
    }
    // Runs fn in a forked child; its return value is the exit code.
    static ChildProcess run(std::function<int()> fn, bool keep_stdio = true) {
        const pid_t pid = ::fork();
        if (pid < 0) throw std::runtime_error("fork failed");
        if (pid == 0) {
            if (!keep_stdio) {
                const int null = ::open("/dev/null", O_RDWR);
                if (null >= 0) {
                    ::dup2(null, 0);
                    ::dup2(null, 1);
                }
            }
            ::_exit(fn());
        }
        return ChildProcess(pid);
    }
    // Takes ownership of a child this process started some other way (e.g.
    // clone3); it is killed and reaped like any other ChildProcess.
    static ChildProcess adopt(pid_t pid) { return ChildProcess(pid); }
    // Runs argv to completion; returns the raw wait status.
    static int run_and_wait(std::vector<std::string> argv) { return spawn(std::move(argv)).wait().value_or(-1); }

    ChildProcess(ChildProcess&& o) noexcept : pid_(std::exchange(o.pid_, 0)), status_(o.status_) {}
    ChildProcess& operator=(ChildProcess&& o) noexcept {
        if (this != &o) {
            reset();
            pid_ = std::exchange(o.pid_, 0);
            status_ = o.status_;
        }
        return *this;
    }
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess() { reset(); }

    pid_t pid() const { return pid_; }

    // Waits until the child no longer runs this test's executable image (exec
    // done), up to `timeout`. True when it has exec'd.
    bool wait_exec(std::chrono::milliseconds timeout = std::chrono::seconds(5)) const {
        const std::string self = link("/proc/self/exe");
        const auto until = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < until) {
            const std::string exe = link("/proc/" + std::to_string(pid_) + "/exe");
            if (!exe.empty() && exe != self) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        return false;
    }
    // The wait status once the child ended, or nullopt after `timeout`.
    std::optional<int> wait(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
        if (status_) return status_;
        const auto until = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            int st = 0;
            const pid_t r = ::waitpid(pid_, &st, WNOHANG);
            if (r == pid_) {
                status_ = st;
                return status_;
            }
            if (r < 0 || std::chrono::steady_clock::now() >= until) return std::nullopt;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }
    bool running() { return !status_ && !wait(std::chrono::milliseconds(0)); }
    // Signals this child (by its PID, only while it is ours and unreaped).
    void signal(int sig) const {
        if (pid_ > 0 && !status_) ::kill(pid_, sig);
    }

    static int exited_with(int code) { return (code & 0xff) << 8; }
    static int killed_by(int sig) { return sig & 0x7f; }

private:
    explicit ChildProcess(pid_t pid) : pid_(pid) {}
    static std::string link(const std::string& path) {
        char buf[PATH_MAX];
        const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
        return n > 0 ? std::string(buf, size_t(n)) : std::string();
    }
    void reset() {
        if (pid_ > 0 && !status_) {
            ::kill(pid_, SIGKILL);
            int st = 0;
            ::waitpid(pid_, &st, 0);
        }
        pid_ = 0;
        status_.reset();
    }

    pid_t pid_ = 0;
    std::optional<int> status_;
};

}  // namespace vigil::testing
