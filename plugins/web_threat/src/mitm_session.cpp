#include "mitm_session.hpp"

#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vigil/json_writer.hpp>

#include "block_page.hpp"
#include "event_loop.hpp"

namespace vigil::web_threat {

namespace {

using Outcome = ConnectionInspector::Outcome;
constexpr size_t kReadChunk = 16384;

// What the client gets instead of an untrusted site: a 502 inside TLS that
// names the site and the reason.
std::string untrusted_page(std::string_view host, std::string_view reason) {
    std::string body =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        "<title>Blocked by Vigil</title><style>body{font-family:sans-serif;margin:3em auto;max-width:44em}"
        "h1{color:#b00020;font-size:1.6em}</style></head>\n<body><main id=\"vigil-untrusted-certificate\">"
        "<h1>The site's certificate is not trusted</h1><p>Vigil web threat protection did not connect to <code>";
    body += html_escape(host);
    body += "</code>: ";
    body += html_escape(reason);
    body += ".</p><p>If you need this site, contact your administrator.</p></main></body></html>\n";
    return "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n"
           "Connection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

MitmSession::MitmSession(MitmContext& m, EventLoop& loop, LoopTask& task, Side& client, Side& up,
                         const ConnectionContext& ctx, const Endpoint& dest, std::string host, ReportFn report)
    : m_(m), loop_(loop), task_(task), client_(client), up_(up), ctx_(ctx), dest_(dest), host_(std::move(host)),
      report_(std::move(report)) {}

bool MitmSession::start(std::string_view client_bytes, std::string_view blocked_page) {
    blocked_page_ = blocked_page;
    try {
        client_tls_.emplace(m_.towards_client(), client_, true);
        const X509Ptr cert = m_.leaves().certificate(host_);
        if (SSL_use_certificate(client_tls_->ssl(), cert.get()) != 1 ||
            SSL_use_PrivateKey(client_tls_->ssl(), m_.leaves().key()) != 1)
            return false;
    } catch (const std::exception& e) {
        note("failed", e.what());
        return false;
    }
    client_tls_->push(client_bytes);
    insp_.emplace(ctx_.policy, dest_.ip);
    insp_->decrypted();
    loop_.arm(task_, ctx_.limits.head_ms);
    return advance();
}

bool MitmSession::advance() {
    switch (state_) {
        case State::handshake: return handshake();
        case State::request: return from_client();
        case State::connecting: return connecting();
        case State::site_handshake: return site_handshake();
        case State::relay: return relay();
        case State::blocking: return blocking();
        case State::draining: return draining();
    }
    return false;
}

void MitmSession::note(const char* event, const std::string& reason) {
    if (!ctx_.reporter) return;
    JsonWriter w;
    w.begin_object().field("type", "mitm").field("event", event).field("host", host_).field("destination", dest_.text());
    w.field("reason", reason).end_object();
    ctx_.reporter->send(w.take());
}

void MitmSession::report_decisions() {
    for (const Inspection& in : insp_->take_decisions()) report_(in);
}

// A TLS failure the scan cannot get past: the connection ends, and with
// scan_error_action add_to_exclusions the site's next connections pass through.
bool MitmSession::scan_error(const char* side, const std::string& why, bool exclude) {
    if (exclude && m_.exclude_on_error() && m_.exclusions().add(host_)) note("excluded", std::string(side) + ": " + why);
    else note("error", std::string(side) + ": " + why);
    return false;
}

// A client that ends the handshake (an alert, a close, a reset: it does not
// trust the certificate, or pins another) is a scan error.
bool MitmSession::handshake() {
    const bool reset = client_tls_->fill(loop_.scratch(), ctx_.limits.buffer_bytes) == TlsEnd::Io::error;
    const TlsEnd::Step s = reset ? TlsEnd::Step::failed : client_tls_->handshake();
    // The alert that tells the client why goes out before the connection ends.
    const bool sent = !reset && client_tls_->flush() != TlsEnd::Io::error;
    if (s == TlsEnd::Step::again && sent) return true;
    if (s != TlsEnd::Step::done || !sent) {
        const std::string why = !sent || client_tls_->why() == "closed" ? "ended the handshake (it does not trust the certificate)"
                                                                         : client_tls_->why();
        return scan_error("client", why, true);
    }
    state_ = State::request;
    return from_client();
}

// Decrypts what the client sent and judges each request; the judged bytes
// wait in to_site_, at most buffer_bytes with what the site has not taken.
bool MitmSession::from_client() {
    client_held_ = false;
    while (!client_closed_) {
        std::string plain;
        const Read r = read_side(*client_tls_, to_site_.size() + (site_tls_ ? site_tls_->unsent() : 0), plain);
        client_held_ = r == Read::held;
        if (r == Read::failed) return false;
        if (r == Read::held) break;
        if (!plain.empty() && !blocked_page_.empty()) return block(blocked_page_);
        if (!plain.empty()) {
            const Outcome o = insp_->feed(plain);
            report_decisions();
            if (o == Outcome::block) return block(insp_->response());
            to_site_ += insp_->take_forward();
        }
        client_closed_ = client_tls_->closed();
        if (plain.empty()) break;
    }
    if (client_tls_->flush() == TlsEnd::Io::error) return false;
    if (state_ == State::request && !to_site_.empty()) return connect_site();
    if (state_ == State::request && client_closed_) return false;
    return true;
}

// One read of a side's plaintext, unless what waits for the other side
// (`queued`) is at the buffer bound.
MitmSession::Read MitmSession::read_side(TlsEnd& tls, size_t queued, std::string& plain) {
    const size_t cap = ctx_.limits.buffer_bytes;
    if (queued >= cap) return Read::held;
    if (tls.fill(loop_.scratch(), cap) == TlsEnd::Io::error) return Read::failed;
    return tls.read(plain, loop_.scratch(), kReadChunk) == TlsEnd::Step::failed ? Read::failed : Read::ok;
}

bool MitmSession::connect_site() {
    up_.fd = connect_nonblocking(dest_);
    if (up_.fd < 0 || !loop_.watch(up_.fd, task_, EventLoop::upstream)) return false;
    state_ = State::connecting;
    loop_.arm(task_, ctx_.limits.connect_ms);
    return true;
}

bool MitmSession::connecting() {
    if (!up_.out) return true;
    int err = 0;
    socklen_t el = sizeof err;
    if (getsockopt(up_.fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) return false;
    try {
        site_tls_.emplace(m_.towards_site(), up_, false);
    } catch (const std::exception& e) {
        note("failed", e.what());
        return false;
    }
    SSL* ssl = site_tls_->ssl();
    SSL_set_tlsext_host_name(ssl, host_.c_str());
    SSL_set1_host(ssl, host_.c_str());
    state_ = State::site_handshake;
    return site_handshake();
}

bool MitmSession::site_handshake() {
    if (site_tls_->fill(loop_.scratch(), ctx_.limits.buffer_bytes) == TlsEnd::Io::error) return site_failed();
    const TlsEnd::Step s = site_tls_->handshake();
    if (site_tls_->flush() == TlsEnd::Io::error) return site_failed();
    if (s == TlsEnd::Step::again) return true;
    if (s == TlsEnd::Step::failed) {
        const bool asked = MitmContext::client_certificate_asked(site_tls_->ssl());
        return scan_error("site", asked ? "asks for a client certificate" : site_tls_->why(), true);
    }
    const long result = SSL_get_verify_result(site_tls_->ssl());
    if (result != X509_V_OK) {
        if (!m_.allow_untrusted()) return untrusted_site(result);
        note("untrusted_allowed", X509_verify_cert_error_string(result));
    }
    state_ = State::relay;
    loop_.disarm(task_);
    return relay();
}

// untrusted_certificate_action: block. Reported as a refusal with the
// reason; the client gets the page inside TLS.
// The site's connection failed. TLS 1.3: the worker's handshake is done
// before the site judges the (empty) client certificate it asked for; its
// refusal comes later, as an alert on the first read or a reset on a write.
bool MitmSession::site_failed() {
    if (!MitmContext::client_certificate_asked(site_tls_->ssl())) return false;
    return scan_error("site", "asks for a client certificate", true);
}

bool MitmSession::untrusted_site(long result) {
    const std::string reason = std::string("untrusted certificate: ") + X509_verify_cert_error_string(result);
    Inspection in;
    in.protocol = Inspection::Protocol::tls;
    in.target.host = host_;
    in.target.ip = dest_.ip;
    in.blocked = true;
    in.refused = reason;
    report_(in);
    return block(untrusted_page(host_, reason));
}

bool MitmSession::relay() {
    if (!from_client()) return false;
    if (state_ != State::relay) return true;  // a request was blocked
    if (!site_tls_->write(to_site_)) return site_failed();
    to_site_.clear();
    if (site_tls_->flush() == TlsEnd::Io::error) return site_failed();
    if (!from_site()) return false;
    if (!close_when_done()) return false;
    // Stopped at a buffer bound with bytes still readable: edge-triggered
    // readiness will not say so again, so this runs again after the next poll.
    const size_t cap = ctx_.limits.buffer_bytes;
    if ((client_held_ && site_tls_->unsent() < cap) || (site_held_ && client_tls_->unsent() < cap))
        loop_.again(task_);
    return true;
}

bool MitmSession::from_site() {
    site_held_ = false;
    while (!site_closed_) {
        std::string plain;
        const Read r = read_side(*site_tls_, client_tls_->unsent(), plain);
        site_held_ = r == Read::held;
        if (r == Read::failed) return site_failed();
        if (r == Read::held) break;
        if (!client_tls_->write(plain)) return false;
        site_closed_ = site_tls_->closed();
        if (plain.empty()) break;
    }
    // The site's session tickets and alerts, and what goes to the client.
    if (site_tls_->flush() == TlsEnd::Io::error) return site_failed();
    return client_tls_->flush() != TlsEnd::Io::error;
}

// A side that closed gets its close passed on (close_notify, then the
// socket's write side) once everything before it went; both closed and
// flushed: the connection is over.
bool MitmSession::close_when_done() {
    if (client_closed_ && !site_shut_ && to_site_.empty()) {
        site_tls_->close_notify();
        if (site_tls_->flush() == TlsEnd::Io::error) return false;
        site_shut_ = site_tls_->unsent() == 0 && ::shutdown(up_.fd, SHUT_WR) == 0;
    }
    if (site_closed_ && !client_shut_) {
        client_tls_->close_notify();
        if (client_tls_->flush() == TlsEnd::Io::error) return false;
        client_shut_ = client_tls_->unsent() == 0 && ::shutdown(client_.fd, SHUT_WR) == 0;
    }
    return !(client_shut_ && site_shut_);
}

// The response (block page) after what the client already got, then
// close_notify; the site connection, if any, ends now.
bool MitmSession::block(const std::string& response) {
    if (up_.fd >= 0) ::close(up_.fd);
    up_.fd = -1;
    if (!client_tls_->write(response)) return false;
    client_tls_->close_notify();
    state_ = State::blocking;
    loop_.arm(task_, ctx_.limits.block_write_ms);
    return blocking();
}

bool MitmSession::blocking() {
    if (client_tls_->flush() == TlsEnd::Io::error) return false;
    if (client_tls_->unsent()) return true;
    ::shutdown(client_.fd, SHUT_WR);
    state_ = State::draining;
    return draining();
}

// As for a plain block page: what the client still sends is read (and
// dropped) until it closes, so a reset does not destroy the page.
bool MitmSession::draining() { return drain(client_, loop_.scratch(), drained_); }

}  // namespace vigil::web_threat
