#include "loop_task.hpp"

#include <sys/epoll.h>

#include "event_loop.hpp"

namespace vigil::web_threat {

void LoopTask::on_event(uint32_t role, uint32_t events) {
    Side& s = role == EventLoop::upstream ? up_ : client_;
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) s.in = true;
    if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) s.out = true;
    advance();
}

}  // namespace vigil::web_threat
