#include "splice_pipe.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace vigil::web_threat {

void close_pipe(Pipe& p) {
    if (p.r >= 0) ::close(p.r);
    if (p.w >= 0) ::close(p.w);
    p = Pipe{};
}

PipePool::~PipePool() {
    for (Pipe& p : free_) close_pipe(p);
}

bool PipePool::get(Pipe& out) {
    if (!free_.empty()) {
        out = free_.back();
        free_.pop_back();
        return true;
    }
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return false;
    out.r = fds[0];
    out.w = fds[1];
    out.held = 0;
    // Past the user's pipe-buffer allowance the kernel refuses a larger
    // pipe; the default size still works.
    ::fcntl(out.w, F_SETPIPE_SZ, int(capacity_));
    const int size = ::fcntl(out.w, F_GETPIPE_SZ);
    out.size = size > 0 ? size_t(size) : 0;
    if (out.size == 0) {
        close_pipe(out);
        return false;
    }
    return true;
}

void PipePool::put(Pipe& p) {
    if (!p.ok()) return;
    if (p.held == 0 && free_.size() < keep_) {
        free_.push_back(p);
        p = Pipe{};
        return;
    }
    close_pipe(p);
}

}  // namespace vigil::web_threat
