#include "dns_udp.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "event_loop.hpp"

namespace vigil::web_threat {

namespace {

// epoll data: listeners are marked with the top bit, pending queries carry their slot.
constexpr uint64_t kListener = uint64_t(1) << 63;

uint16_t id_of(std::string_view m) { return uint16_t((uint8_t(m[0]) << 8) | uint8_t(m[1])); }

}  // namespace

DnsUdpForwarder::DnsUdpForwarder(const std::vector<int>& sockets, const Policy& policy, const DnsConfig& config,
                                 Reporter* reporter)
    : listeners_(sockets), policy_(policy), config_(config), reporter_(reporter), buf_(65536) {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) throw std::runtime_error("epoll_create1 failed");
    for (int fd : listeners_) {
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        epoll_event e{EPOLLIN, {.u64 = kListener | uint64_t(uint32_t(fd))}};
        if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &e) != 0) throw std::runtime_error("epoll_ctl on a DNS socket failed");
    }
}

DnsUdpForwarder::~DnsUdpForwarder() {
    for (Pending& p : slots_)
        if (p.fd >= 0) ::close(p.fd);
    ::close(epoll_);
}

void DnsUdpForwarder::run(const std::atomic<bool>* stop) {
    epoll_event events[64];
    while (!stop || !stop->load()) {
        int timeout = stop ? 50 : -1;
        if (!deadlines_.empty()) {
            const int64_t left = std::max<int64_t>(0, deadlines_.front().at - monotonic_ms());
            if (timeout < 0 || left < timeout) timeout = int(left);
        }
        const int n = ::epoll_wait(epoll_, events, 64, timeout);
        for (int i = 0; i < n; ++i) {
            const uint64_t d = events[i].data.u64;
            if (d & kListener) read_queries(int(uint32_t(d)));
            else read_answer(uint32_t(d));
        }
        expire(monotonic_ms());
    }
}

void DnsUdpForwarder::read_queries(int listener) {
    // A bounded batch, then the answers and deadlines get their turn.
    for (int i = 0; i < 64; ++i) {
        sockaddr_storage from{};
        socklen_t len = sizeof from;
        const ssize_t n = ::recvfrom(listener, buf_.data(), buf_.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return;
        if (n >= 12) query(listener, from, len, std::string_view(buf_.data(), size_t(n)));
    }
}

void DnsUdpForwarder::query(int listener, const sockaddr_storage& from, socklen_t len, std::string_view msg) {
    DnsStep step = judge_dns_query(msg, policy_, config_.mode);
    if (step.inspection && reporter_) {
        const Endpoint client = endpoint_of(from).value_or(Endpoint{});
        reporter_->send(verdict_report(*step.inspection, client, Endpoint{}, reporter_->dropped()));
    }
    if (step.answer_now) {
        if (!step.answer.empty())
            ::sendto(listener, step.answer.data(), step.answer.size(), 0, reinterpret_cast<const sockaddr*>(&from), len);
        return;
    }
    if (config_.upstreams.empty() || inflight_ >= config_.max_inflight) return;
    const uint32_t slot = free_.empty() ? uint32_t(slots_.size()) : free_.back();
    if (free_.empty()) slots_.emplace_back();
    else free_.pop_back();
    Pending& p = slots_[slot];
    p.listener = listener;
    p.client = from;
    p.client_len = len;
    p.msg.assign(msg);
    p.upstream = 0;
    ++inflight_;
    ask_next(slot);
}

void DnsUdpForwarder::ask_next(uint32_t slot) {
    Pending& p = slots_[slot];
    for (; p.upstream < config_.upstreams.size(); ++p.upstream) {
        if (p.fd >= 0) ::close(p.fd);  // also leaves the epoll set
        sockaddr_storage sa;
        const socklen_t len = sockaddr_of(config_.upstreams[p.upstream], sa);
        p.fd = ::socket(sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (p.fd < 0) break;
        epoll_event e{EPOLLIN, {.u64 = slot}};
        if (::connect(p.fd, reinterpret_cast<sockaddr*>(&sa), len) != 0 ||
            ::send(p.fd, p.msg.data(), p.msg.size(), 0) < 0 || ::epoll_ctl(epoll_, EPOLL_CTL_ADD, p.fd, &e) != 0)
            continue;
        p.token = next_token_++;
        deadlines_.push_back({monotonic_ms() + config_.timeout_ms, slot, p.token});
        return;
    }
    release(slot);
}

void DnsUdpForwarder::read_answer(uint32_t slot) {
    if (slot >= slots_.size() || slots_[slot].fd < 0) return;
    Pending& p = slots_[slot];
    for (;;) {
        const ssize_t n = ::recv(p.fd, buf_.data(), buf_.size(), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n < 0) {  // refused (ICMP port unreachable): the next upstream at once
            ++p.upstream;
            return ask_next(slot);
        }
        // A reply to another id (a late answer, a forgery) is not ours.
        if (n < 2 || id_of(std::string_view(buf_.data(), size_t(n))) != id_of(p.msg)) continue;
        std::string scratch;
        const std::string_view out =
            client_answer(std::string_view(buf_.data(), size_t(n)), p.msg, config_, reporter_, scratch);
        if (!out.empty())
            ::sendto(p.listener, out.data(), out.size(), 0, reinterpret_cast<const sockaddr*>(&p.client), p.client_len);
        return release(slot);
    }
}

void DnsUdpForwarder::release(uint32_t slot) {
    Pending& p = slots_[slot];
    if (p.fd >= 0) ::close(p.fd);
    p.fd = -1;
    p.token = 0;
    p.msg.clear();
    free_.push_back(slot);
    --inflight_;
}

void DnsUdpForwarder::expire(int64_t now) {
    while (!deadlines_.empty() && deadlines_.front().at <= now) {
        const Deadline d = deadlines_.front();
        deadlines_.pop_front();
        Pending& p = slots_[d.slot];
        if (p.fd < 0 || p.token != d.token) continue;  // answered, or a later attempt
        ++p.upstream;
        ask_next(d.slot);
    }
}

}  // namespace vigil::web_threat
