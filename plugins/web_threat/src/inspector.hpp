// The verdict on one intercepted connection, from the client's first bytes
// and before anything goes upstream: a TLS ClientHello is judged by its SNI,
// each HTTP request by its Host and URL, anything else by the original
// destination address alone. The worker feeds the client's bytes, forwards
// what the inspector lets through, and sends the block response otherwise.
#pragma once

#include <cstdint>
#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>
#include <vigil/common/ip_address.hpp>

#include "block_page.hpp"
#include "client_hello.hpp"
#include "http_request.hpp"
#include "verdict.hpp"

namespace vigil::web_threat {

// The ids of the threats the worker reports: it numbers them itself, so
// that the block page can quote the id of the event the plugin publishes
// and the central node shows ("<agent_id>:threat:<n>", kataedr's finding
// uid). The numbers start at the worker's start time in microseconds times
// 1024: a worker restarted later (at least half a second later) never
// reuses one unless the one before reported 500 million threats; they stay
// below 2^63 (signed 64-bit stores) for two centuries.
struct ThreatIds {
    std::atomic<uint64_t> next{0};
    std::string agent_id;

    uint64_t take() { return next.fetch_add(1, std::memory_order_relaxed); }
    std::string event_uid(uint64_t id) const {
        return id ? (agent_id.empty() ? "" : agent_id + ":") + "threat:" + std::to_string(id) : std::string();
    }
};

struct Policy {
    std::shared_ptr<const ListSet> blocked;
    std::shared_ptr<const ListSet> trusted;
    CategoryMask enabled = kAllCategories;
    bool block = true;  // action_on_detect: block (else notify: report, let through)
    // The worker's lists, swapped whole when the plugin sends new ones; when
    // set, every verdict reads the current set from it instead of `blocked`.
    std::shared_ptr<const ListHolder> live;
    // Numbers the reported decisions (none: threat_id stays 0).
    std::shared_ptr<ThreatIds> ids;

    std::shared_ptr<const ListSet> lists() const { return live ? live->get() : blocked; }
};

// What the inspector saw and decided for one verdict (a connection, or one
// request of a keep-alive HTTP connection); the worker reports it.
struct Inspection {
    enum class Protocol : uint8_t { tls, http, other, dns, socks } protocol = Protocol::other;
    Target target;
    Verdict verdict;
    bool blocked = false;  // the connection or request was refused
    std::string refused;   // refused for another reason than a list (malformed HTTP), or ""
    // SOCKS: where the client asked the proxy to connect ("[fd09::66]:80",
    // "blocked.test:443"); the connection's destination is the proxy.
    std::string proxy_target;
    uint64_t threat_id = 0;  // the id of the threat event it becomes (0: not one)
};

// Numbers `in` (policy.ids) when it becomes a threat event: a listed
// destination (blocked or notified) or a trusted address that overrode one.
inline void number_threat(Inspection& in, const Policy& policy) {
    const Verdict& v = in.verdict;
    if (policy.ids && (v.decision == Decision::block || (v.decision == Decision::trusted && v.overridden)))
        in.threat_id = policy.ids->take();
}

class ConnectionInspector {
public:
    enum class Outcome : uint8_t {
        need_more,  // nothing may go upstream yet
        forward,    // forward() bytes may go upstream (connect first if not yet)
        block,      // send response() to the client and close
    };

    ConnectionInspector(Policy policy, common::IpAddress destination);

    // The next bytes from the client. After `forward`, take forward_bytes();
    // after each decision, last() describes it.
    Outcome feed(std::string_view bytes);
    // No client bytes came in time (a server-speaks-first protocol): the
    // address alone decides.
    Outcome timeout();

    std::string take_forward();
    // The requests arrive decrypted from TLS (encrypted connections scan):
    // their URLs are https.
    void decrypted() { scheme_ = "https"; }
    // The SNI of a ClientHello that was let through and not because of a
    // trusted address ("" otherwise): what the scan may decrypt.
    const std::string& scannable_sni() const { return sni_; }
    // A ClientHello blocked by its SNI: that name and the block page the
    // scan may show inside TLS instead of the alert ("" otherwise).
    const std::string& blocked_sni() const { return blocked_sni_; }
    const std::string& tls_block_page() const { return tls_page_; }
    const std::string& blocked_hello() const { return blocked_hello_; }
    // Past every verdict this connection gets (TLS, CONNECT, other): the
    // rest may be relayed without feeding it through the inspector.
    bool opaque() const { return mode_ == Mode::relay; }
    const std::string& response() const { return response_; }
    // The decisions made since the last call (one per connection, or one per
    // request of a keep-alive HTTP connection), for the worker to report.
    std::vector<Inspection> take_decisions();

private:
    Outcome decide(Inspection::Protocol protocol, Target t);
    Outcome refuse(std::string why);
    BlockInfo block_info(const Inspection& in, std::string url) const;
    Outcome release(Outcome o);
    Outcome feed_http();

    Policy policy_;
    common::IpAddress destination_;
    const char* scheme_ = "http";
    std::string sni_, blocked_sni_, tls_page_, blocked_hello_;
    enum class Mode : uint8_t { sniff, tls, http, relay, closed } mode_ = Mode::sniff;
    std::string pending_;  // client bytes not yet decided on
    std::string forward_;  // bytes decided on, to go upstream
    std::string response_;
    ClientHelloParser hello_;
    HttpRequestReader http_;
    std::vector<Inspection> decisions_;
};

}  // namespace vigil::web_threat
