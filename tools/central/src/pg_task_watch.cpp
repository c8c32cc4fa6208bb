#include "pg_task_watch.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "pg_conn.hpp"

namespace vigil::central {

PgTaskWatch::PgTaskWatch(std::string url, std::string password, WakeAgent wake_agent, WakeAll wake_all)
    : url_(std::move(url)),
      password_(std::move(password)),
      wake_agent_(std::move(wake_agent)),
      wake_all_(std::move(wake_all)),
      wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (wake_fd_ < 0) throw std::runtime_error("postgresql task watch: eventfd failed");
    thread_ = std::thread([this] { run(); });
}

PgTaskWatch::~PgTaskWatch() {
    stop_ = true;
    const uint64_t one = 1;
    if (::write(wake_fd_, &one, sizeof one) < 0) {  // the thread also checks stop_ every second
    }
    thread_.join();
    ::close(wake_fd_);
}

void PgTaskWatch::run() {
    bool down_logged = false;
    while (!stop_) {
        try {
            if (!listen_once()) return;
            down_logged = false;
        } catch (const std::exception& e) {
            if (!down_logged) std::fprintf(stderr, "vigil-central: task notifications: %s; retrying every second\n", e.what());
            down_logged = true;
        }
        pollfd p{wake_fd_, POLLIN, 0};
        ::poll(&p, 1, 1000);
    }
}

// Connects, LISTENs, wakes every waiting agent (what was notified while not listening is
// lost), then forwards notifications until the connection fails (throws) or stop.
bool PgTaskWatch::listen_once() {
    pg::Conn c(url_, password_);
    c.run(std::string("LISTEN ") + kTaskChannel);
    ++connects_;
    wake_all_();
    pg_conn* raw = c.raw();
    while (!stop_) {
        pollfd p[2] = {{PQsocket(raw), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
        if (::poll(p, 2, 1000) < 0) continue;
        if (stop_) return false;
        if (p[0].revents == 0) continue;
        if (!PQconsumeInput(raw) || PQstatus(raw) != CONNECTION_OK) {
            std::string why = PQerrorMessage(raw);
            for (auto& ch : why)
                if (ch == '\n' || ch == '\t') ch = ' ';
            while (!why.empty() && why.back() == ' ') why.pop_back();
            throw std::runtime_error("connection lost: " + why);
        }
        while (PGnotify* n = PQnotifies(raw)) {
            std::string agent = n->extra ? n->extra : "";
            PQfreemem(n);
            if (!agent.empty()) wake_agent_(agent);
        }
    }
    return false;
}

}  // namespace vigil::central
