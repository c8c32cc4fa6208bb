// DNS over TCP in the worker (RFC 7766): the redirect sends TCP port 53 to
// the forwarder's port, where an event loop serves each connection as a
// session. Every length-prefixed query gets the same verdict as over UDP
// (judge_dns_query): a listed name is answered by the worker, the rest goes
// to the upstream resolvers over one TCP connection per session (the next
// upstream when a connect fails) and their answers back as they come
// (clients match them by id, in any order). Bounded: 256 KiB waiting per
// direction, an idle session closed after 10 s.
#pragma once

#include <string>

#include "dns_forwarder.hpp"
#include "loop_task.hpp"

namespace vigil::web_threat {

struct DnsTcpContext {
    Policy policy;
    DnsConfig config;
    Reporter* reporter = nullptr;
    int idle_ms = 10000;
    size_t buffer_bytes = 256 * 1024;
};

class DnsTcpSession final : public LoopTask {
public:
    DnsTcpSession(EventLoop& loop, uint32_t slot, int client_fd, const DnsTcpContext& ctx);
    ~DnsTcpSession() override;

    bool done() const override { return done_; }
    void on_timeout() override { finish(); }
    void start() override;

private:
    void advance() override;
    void finish();
    bool read_client();
    void query(std::string_view msg);
    bool connect_upstream();
    bool upstream_ready();
    bool read_upstream();
    bool write(Side& to, std::string& out);

    EventLoop& loop_;
    const DnsTcpContext& ctx_;
    Endpoint client_ep_;
    std::string from_client_, to_client_, from_up_, to_up_;
    size_t upstream_ = 0;  // the upstream asked (index in the configuration)
    bool connected_ = false, client_eof_ = false, done_ = false;
    uint32_t waiting_ = 0;  // queries sent upstream and not answered yet
};

// The listener side: DNS-over-TCP sessions.
TaskFactory dns_tcp_sessions(const DnsTcpContext& ctx);

}  // namespace vigil::web_threat
