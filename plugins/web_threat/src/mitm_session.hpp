// A scanned (decrypted) connection, the encrypted connections scan's part of
// a Connection after its ClientHello was let through: the TLS handshake with
// the client under a certificate minted for its SNI, then each HTTP request
// judged by its full https URL before anything goes to the site (a blocked
// first request means the site never gets a packet), the connection to the
// site with its certificate checked (untrusted_certificate_action), and the
// relay of both directions, decrypting and encrypting again. A blocked
// request gets the block page inside TLS. A TLS failure with the client or
// the site ends the connection and (scan_error_action) excludes the site
// from the scan, so its next connections pass through as they are.
// Everything runs on the connection's event loop, on memory BIOs.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "connection.hpp"
#include "mitm_context.hpp"
#include "mitm_tls.hpp"

namespace vigil::web_threat {

class MitmSession {
public:
    using ReportFn = std::function<void(const Inspection&)>;

    MitmSession(MitmContext& m, EventLoop& loop, LoopTask& task, Side& client, Side& up, const ConnectionContext& ctx,
                const Endpoint& dest, std::string host, ReportFn report);

    // Takes over with what the client sent so far (its ClientHello); false
    // when the connection must end. With `blocked_page` (the site was
    // blocked by its SNI) the client's first request gets that page and the
    // site is never connected.
    bool start(std::string_view client_bytes, std::string_view blocked_page);
    // Does what readiness allows; false once the connection is over.
    bool advance();

private:
    enum class State : uint8_t { handshake, request, connecting, site_handshake, relay, blocking, draining };

    enum class Read : uint8_t { ok, held, failed };
    Read read_side(TlsEnd& tls, size_t queued, std::string& plain);
    bool handshake();
    bool from_client();
    bool connect_site();
    bool connecting();
    bool site_handshake();
    bool relay();
    bool from_site();
    bool close_when_done();
    bool block(const std::string& response);
    bool blocking();
    bool draining();
    bool scan_error(const char* side, const std::string& why, bool exclude);
    bool untrusted_site(long result);
    bool site_failed();
    void report_decisions();
    void note(const char* event, const std::string& reason);

    MitmContext& m_;
    EventLoop& loop_;
    LoopTask& task_;
    Side& client_;
    Side& up_;
    const ConnectionContext& ctx_;
    Endpoint dest_;
    std::string host_;
    ReportFn report_;
    State state_ = State::handshake;
    std::optional<TlsEnd> client_tls_, site_tls_;
    std::optional<ConnectionInspector> insp_;
    std::string to_site_;       // judged plaintext for the site
    std::string blocked_page_;  // the answer to any request (blocked by SNI)
    bool client_held_ = false, site_held_ = false;  // stopped at a buffer bound
    bool client_closed_ = false, site_closed_ = false, client_shut_ = false, site_shut_ = false;
    size_t drained_ = 0;
};

}  // namespace vigil::web_threat
