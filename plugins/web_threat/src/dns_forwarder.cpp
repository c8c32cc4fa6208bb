#include "dns_forwarder.hpp"

#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "host_name.hpp"

namespace vigil::web_threat {

namespace {

struct Query {
    int reply_fd;
    sockaddr_storage client;
    socklen_t client_len;
    std::string msg;
    uint16_t id;
    const DnsConfig* config;
    std::atomic<uint32_t>* inflight;
};

// One upstream exchange on a connected socket; "" on timeout or error.
std::string ask(const Endpoint& upstream, const std::string& msg, uint16_t id, int timeout_ms) {
    sockaddr_storage sa;
    const socklen_t len = sockaddr_of(upstream, sa);
    const int fd = ::socket(sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return {};
    std::string out;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), len) == 0 && ::send(fd, msg.data(), msg.size(), 0) > 0) {
        char buf[65536];
        pollfd p{fd, POLLIN, 0};
        while (::poll(&p, 1, timeout_ms) > 0) {
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n < 0) break;
            // A reply to another id (a late answer, a spoof) is not ours.
            if (n >= 2 && ((uint8_t(buf[0]) << 8) | uint8_t(buf[1])) == id) {
                out.assign(buf, size_t(n));
                break;
            }
        }
    }
    ::close(fd);
    return out;
}

void* forward(void* arg) {
    Query* q = static_cast<Query*>(arg);
    for (const Endpoint& up : q->config->upstreams) {
        const std::string answer = ask(up, q->msg, q->id, q->config->timeout_ms);
        if (answer.empty()) continue;
        ::sendto(q->reply_fd, answer.data(), answer.size(), 0, reinterpret_cast<sockaddr*>(&q->client),
                 q->client_len);
        break;
    }
    q->inflight->fetch_sub(1);
    delete q;
    return nullptr;
}

void start_forward(Query* q) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    if (pthread_create(&t, &attr, forward, q) != 0) {
        q->inflight->fetch_sub(1);
        delete q;
    }
    pthread_attr_destroy(&attr);
}

}  // namespace

DnsStep judge_dns_query(std::string_view msg, const Policy& policy, DnsBlockMode mode) {
    DnsStep step;
    DnsQuery q;
    std::string why;
    if (!parse_dns_query(msg, q, why)) {
        step.answer_now = true;  // not a query the forwarder can judge: dropped
        return step;
    }
    if (is_doh_canary(q.name)) {
        step.answer_now = true;
        step.answer = dns_block_answer(msg, q, DnsBlockMode::nxdomain);
        return step;
    }
    Target t;
    t.host = canonical_host(q.name);
    if (t.host.empty()) return step;
    Inspection in;
    in.protocol = Inspection::Protocol::dns;
    in.verdict = judge(*policy.lists(), *policy.trusted, t, policy.enabled);
    in.target = std::move(t);
    if (in.verdict.decision != Decision::block) return step;
    in.blocked = policy.block;
    if (in.blocked) {
        step.answer_now = true;
        step.answer = dns_block_answer(msg, q, mode);
    }
    step.inspection = std::move(in);
    return step;
}

void serve_dns(const std::vector<int>& sockets, const Policy& policy, const DnsConfig& config, Reporter* reporter) {
    std::atomic<uint32_t> inflight{0};
    std::vector<pollfd> fds;
    for (int s : sockets) fds.push_back({s, POLLIN, 0});
    char buf[65536];
    for (;;) {
        if (::poll(fds.data(), fds.size(), -1) < 0) continue;
        for (const auto& p : fds) {
            if (!(p.revents & POLLIN)) continue;
            sockaddr_storage from{};
            socklen_t flen = sizeof from;
            const ssize_t n = ::recvfrom(p.fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &flen);
            if (n < 12) continue;
            const std::string_view msg(buf, size_t(n));
            DnsStep step = judge_dns_query(msg, policy, config.mode);
            if (step.inspection && reporter) {
                const Endpoint client = endpoint_of(from).value_or(Endpoint{});
                reporter->send(verdict_report(*step.inspection, client, Endpoint{}, reporter->dropped()));
            }
            if (step.answer_now) {
                if (!step.answer.empty())
                    ::sendto(p.fd, step.answer.data(), step.answer.size(), 0, reinterpret_cast<sockaddr*>(&from), flen);
                continue;
            }
            if (config.upstreams.empty() || inflight.load() >= config.max_inflight) continue;
            inflight.fetch_add(1);
            const uint16_t id = uint16_t((uint8_t(buf[0]) << 8) | uint8_t(buf[1]));
            start_forward(new Query{p.fd, from, flen, std::string(msg), id, &config, &inflight});
        }
    }
}

}  // namespace vigil::web_threat
