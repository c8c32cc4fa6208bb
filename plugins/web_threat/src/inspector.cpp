#include "inspector.hpp"

#include "block_page.hpp"
#include "host_name.hpp"

namespace vigil::web_threat {

namespace {

bool looks_like_http(std::string_view b) {
    // A method token, then a space, within the first 16 bytes.
    for (size_t i = 0; i < b.size() && i < 16; ++i) {
        if (b[i] == ' ') return i > 0;
        if (b[i] < 'A' || b[i] > 'Z') return false;
    }
    return false;
}

}  // namespace

ConnectionInspector::ConnectionInspector(Policy policy, common::IpAddress destination)
    : policy_(std::move(policy)), destination_(destination) {}

std::vector<Inspection> ConnectionInspector::take_decisions() {
    std::vector<Inspection> out = std::move(decisions_);
    decisions_.clear();
    return out;
}

std::string ConnectionInspector::take_forward() {
    std::string out = std::move(forward_);
    forward_.clear();
    return out;
}

ConnectionInspector::Outcome ConnectionInspector::decide(Inspection::Protocol protocol, Target t) {
    t.ip = destination_;
    Inspection& in = decisions_.emplace_back();
    in.protocol = protocol;
    in.verdict = judge(*policy_.lists(), *policy_.trusted, t, policy_.enabled);
    in.target = std::move(t);
    in.blocked = in.verdict.decision == Decision::block && policy_.block;
    number_threat(in, policy_);
    if (!in.blocked) return Outcome::forward;
    mode_ = Mode::closed;
    if (protocol == Inspection::Protocol::tls) {
        response_ = tls_alert_record();
        // The encrypted connections scan may show this page inside TLS instead.
        if (!in.target.host.empty()) {
            tls_page_ = block_page_response(block_info(in, "https://" + in.target.host + "/"));
            blocked_sni_ = in.target.host;
        }
    } else if (protocol == Inspection::Protocol::http) {
        response_ = block_page_response(block_info(in, in.target.url ? in.target.url->text() : in.target.host));
    }
    return Outcome::block;
}

BlockInfo ConnectionInspector::block_info(const Inspection& in, std::string url) const {
    BlockInfo info;
    info.url = std::move(url);
    info.category = category_name(in.verdict.match->category);
    info.list = in.verdict.list;
    info.entry = in.verdict.match->entry;
    if (policy_.ids) info.event_id = policy_.ids->event_uid(in.threat_id);
    return info;
}

// HTTP this reader cannot frame unambiguously is refused (RFC 9112: 400):
// passing it on would let a request the worker did not see reach the origin.
ConnectionInspector::Outcome ConnectionInspector::refuse(std::string why) {
    Inspection& in = decisions_.emplace_back();
    in.protocol = Inspection::Protocol::http;
    in.target.ip = destination_;
    in.blocked = true;
    in.refused = std::move(why);
    mode_ = Mode::closed;
    response_ =
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 12\r\n\r\n"
        "Bad Request\n";
    return Outcome::block;
}

// After a connection's only verdict: the held bytes go upstream unless blocked.
ConnectionInspector::Outcome ConnectionInspector::release(Outcome o) {
    if (o == Outcome::forward) {
        mode_ = Mode::relay;
        forward_ += pending_;
    }
    pending_.clear();
    return o;
}

ConnectionInspector::Outcome ConnectionInspector::timeout() {
    if (mode_ != Mode::sniff || !pending_.empty()) return Outcome::need_more;
    return release(decide(Inspection::Protocol::other, Target{}));
}

ConnectionInspector::Outcome ConnectionInspector::feed(std::string_view bytes) {
    if (mode_ == Mode::closed) return Outcome::block;
    if (mode_ == Mode::relay) {
        forward_.append(bytes);
        return Outcome::forward;
    }
    pending_.append(bytes);
    if (mode_ == Mode::sniff) {
        if (pending_.empty()) return Outcome::need_more;
        if (uint8_t(pending_[0]) == 22)
            mode_ = Mode::tls;
        else if (looks_like_http(pending_))
            mode_ = Mode::http;
        else if (pending_.size() >= 16 || pending_.find(' ') != std::string::npos || pending_[0] < 'A' ||
                 pending_[0] > 'Z') {
            return release(decide(Inspection::Protocol::other, Target{}));  // neither: the address decides
        } else {
            return Outcome::need_more;
        }
    }
    if (mode_ == Mode::http) return feed_http();
    // TLS: wait for the whole ClientHello; a hello that does not parse is
    // judged by the address (and reported by the caller).
    // The first byte chose TLS, so `bytes` holds everything from the start.
    const auto st = hello_.feed(bytes);
    if (st == ClientHelloParser::State::need_more) return Outcome::need_more;
    Target t;
    if (st == ClientHelloParser::State::done) t.host = canonical_host(hello_.hello().sni);
    std::string sni = t.host;
    const Outcome d = decide(Inspection::Protocol::tls, std::move(t));
    if (d == Outcome::block && !blocked_sni_.empty()) blocked_hello_ = pending_;  // for the scan's block page
    const Outcome o = release(d);
    if (o == Outcome::forward && decisions_.back().verdict.decision != Decision::trusted) sni_ = std::move(sni);
    return o;
}

ConnectionInspector::Outcome ConnectionInspector::feed_http() {
    using Kind = HttpRequestReader::Kind;
    for (;;) {
        const auto step = http_.next(pending_);
        if (step.kind == Kind::body) {
            forward_.append(pending_, 0, step.length);
            pending_.erase(0, step.length);
            continue;
        }
        if (step.kind == Kind::head) {
            const HttpRequest& q = http_.request();
            Target t;
            t.host = canonical_host(q.target_host());
            if (!q.connect) t.url = url_of_request(scheme_, q.target_host(), q.target);
            const std::string head = pending_.substr(0, step.length);
            pending_.erase(0, step.length);
            if (decide(Inspection::Protocol::http, std::move(t)) == Outcome::block) return Outcome::block;
            forward_ += head;
            continue;
        }
        if (step.kind == Kind::error) return refuse(http_.why());
        if (step.kind == Kind::tunnel) {
            // CONNECT or Upgrade: the rest is opaque (a CONNECT was judged by its target).
            mode_ = Mode::relay;
            forward_ += pending_;
            pending_.clear();
        }
        return forward_.empty() ? Outcome::need_more : Outcome::forward;
    }
}

}  // namespace vigil::web_threat
