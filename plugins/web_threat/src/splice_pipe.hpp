// A pipe for splice(): the relay moves a direction's bytes socket -> pipe ->
// socket without copying them through the worker's memory. Creating a pipe
// and sizing it costs three system calls, so each event loop keeps the empty
// pipes of ended connections for the next ones (a pipe that still holds
// bytes is closed instead: its bytes belong to nobody).
#pragma once

#include <cstddef>
#include <vector>

namespace vigil::web_threat {

struct Pipe {
    int r = -1, w = -1;
    size_t held = 0;  // bytes in the pipe
    size_t size = 0;  // the pipe's capacity
    bool ok() const { return r >= 0; }
};

class PipePool {
public:
    explicit PipePool(size_t capacity, size_t keep = 64) : capacity_(capacity), keep_(keep) {}
    ~PipePool();
    PipePool(const PipePool&) = delete;
    PipePool& operator=(const PipePool&) = delete;

    // An empty pipe of about `capacity` bytes; false when none can be made
    // (out of descriptors): the caller copies instead.
    bool get(Pipe& out);
    // Takes the pipe back (kept when empty, else closed); `p` is reset.
    void put(Pipe& p);

private:
    size_t capacity_, keep_;
    std::vector<Pipe> free_;
};

void close_pipe(Pipe& p);

}  // namespace vigil::web_threat
