// The self-test after isolation.on: does the agent still reach its central
// node through the new rules? It asks the connector plugin for one
// authenticated exchange (`<contact_plugin>.check_contact`: TLS with the
// central node's certificate verified, a request answered) and repeats until
// one works or the budget is spent.
//
// Only exchanges that could not reach the central node at all (connect,
// timeout, proxy, network) count against the isolation, and the isolation is
// rolled back only when every exchange of the budget failed that way. Anything
// that proves the central node answered passes; an answer from something that
// is NOT the verified central node (TLS or protocol failure: an imposter on
// the path) and a missing connector are inconclusive and keep the isolation,
// so presenting a certificate or a bare open port can neither fake a pass nor
// force a rollback. This is a pure state machine; the plugin glue sends the
// commands and feeds the replies back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::isolation {

// A central node (or proxy) address the isolation allows, for the status.
struct ProbeTarget {
    std::string address;  // numeric IPv4/IPv6
    uint16_t port = 0;
    std::string text() const;
};

// A reply of check_contact as the bus delivered it.
struct ContactReply {
    int status = 0;           // vigil_status: 0 ok, VIGIL_EFAILED, VIGIL_ENOTFOUND, ...
    std::string result_json;  // {"ok":..,"central":..,"kind":..,"error":..}
    std::string error;        // "<kind>: <message>" on failure
};

enum class ContactOutcome {
    reached,       // the verified central node answered (ok, or an HTTP error status)
    unreachable,   // no answer at all: what isolation rules could cause
    not_central,   // something answered that is not the verified central node
    no_connector,  // nobody to ask (plugin missing, disabled, no such command)
};
ContactOutcome classify_contact(const ContactReply& r);
// The failure kind of a reply ("connect", "tls", ...; "" when none).
std::string contact_kind(const ContactReply& r);

struct SelfTestVerdict {
    enum Kind { passed, failed, inconclusive } kind = inconclusive;
    std::string detail;
};

class SelfTest {
public:
    // Each exchange may take at most this long (ms), and a failed one is
    // repeated no sooner than kRetryMs after the previous one began.
    static constexpr int64_t kMaxAttemptMs = 10000;
    static constexpr int64_t kRetryMs = 1000;

    // A new self-test (discards the previous one).
    void begin(int64_t now_ms, int64_t budget_ms);
    void cancel() { active_ = false; }
    bool active() const { return active_; }

    // The timeout of the next exchange to send now, or nullopt (one is in
    // flight, not yet due, or no test is running). Marks it in flight.
    std::optional<int64_t> next_attempt(int64_t now_ms);
    // Feeds the reply of the exchange in flight; a verdict ends the test.
    std::optional<SelfTestVerdict> on_reply(const ContactReply& r, int64_t now_ms);

    int attempts() const { return attempts_; }

private:
    bool active_ = false;
    bool in_flight_ = false;
    int64_t deadline_ms_ = 0;
    int64_t next_ms_ = 0;
    int attempts_ = 0;
    std::string last_unreachable_;  // the last "could not reach" detail
    std::string last_not_central_;  // the last imposter detail
};

}  // namespace vigil::isolation
