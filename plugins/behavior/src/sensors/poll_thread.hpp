// The reader thread of a sensor that reads a kernel file descriptor, and the
// eventfd that ends it: the loop runs while wait_readable(source) says there is
// something to read; stop() signals the eventfd, joins the thread and closes it.
#pragma once

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <thread>
#include <utility>

namespace vigil::behavior {

class PollThread {
public:
    PollThread() = default;
    PollThread(const PollThread&) = delete;
    PollThread& operator=(const PollThread&) = delete;
    ~PollThread() { stop(); }

    template <class Loop>
    void start(Loop&& loop) {
        wake_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        thread_ = std::thread(std::forward<Loop>(loop));
    }
    void stop() {
        if (wake_ >= 0) {
            uint64_t one = 1;
            (void)!::write(wake_, &one, sizeof one);
        }
        if (thread_.joinable()) thread_.join();
        if (wake_ >= 0) ::close(wake_);
        wake_ = -1;
    }
    // Waits until fd is readable (true), or until stop() or a failed poll (false).
    bool wait_readable(int fd) const {
        pollfd fds[2] = {{fd, POLLIN, 0}, {wake_, POLLIN, 0}};
        for (;;) {
            if (::poll(fds, 2, -1) >= 0) return fds[1].revents == 0;
            if (errno != EINTR) return false;
        }
    }

private:
    int wake_ = -1;
    std::thread thread_;
};

}  // namespace vigil::behavior
