// The reader thread of a sensor that polls a kernel file descriptor, and the
// eventfd that ends it: the loop polls wake_fd() next to its source and returns
// when it becomes readable; stop() signals it, joins the thread and closes it.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

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
    int wake_fd() const { return wake_; }

private:
    int wake_ = -1;
    std::thread thread_;
};

}  // namespace vigil::behavior
