#include "socks_session.hpp"

#include "endpoint.hpp"
#include "host_name.hpp"

namespace vigil::web_threat {

Inspection judge_socks(const Policy& policy, const SocksTarget& target) {
    Target t;
    if (target.is_name)
        t.host = canonical_host(target.host);
    else if (auto ip = common::parse_ip_address(target.host))
        t.ip = ip->unmapped();
    Inspection in;
    in.protocol = Inspection::Protocol::socks;
    in.verdict = judge(*policy.lists(), *policy.trusted, t, policy.enabled);
    // "blocked.test:80", "10.9.0.66:80", "[fd09::66]:80"
    in.proxy_target = t.ip.empty() ? t.host + ":" + std::to_string(target.port) : Endpoint{t.ip, target.port}.text();
    in.target = std::move(t);
    in.blocked = in.verdict.decision == Decision::block && policy.block;
    number_threat(in, policy);
    return in;
}

std::string socks_refusal(int version) {
    if (version == 4) return std::string("\x00\x5b\x00\x00\x00\x00\x00\x00", 8);
    return std::string("\x05\x02\x00\x01\x00\x00\x00\x00\x00\x00", 10);
}

namespace {

SocksStep judged(const Policy& policy, const SocksTarget& target, std::string greeting, std::string rest) {
    SocksStep s;
    s.state = SocksStep::State::judged;
    s.inspection = judge_socks(policy, target);
    s.upstream_greeting = std::move(greeting);
    s.upstream_rest = std::move(rest);
    return s;
}

}  // namespace

SocksStep socks_step(std::string_view bytes, const Policy& policy, bool& greeted) {
    SocksStep s;
    if (bytes.empty()) return s;
    SocksTarget target;
    if (bytes[0] == 4) {
        const SocksResult r = parse_socks4(bytes, target);
        if (r.state == SocksParse::error) s.state = SocksStep::State::malformed;
        if (r.state != SocksParse::done) return s;
        return judged(policy, target, "", std::string(bytes));
    }
    bool no_auth = false;
    const SocksResult g = parse_socks5_greeting(bytes, no_auth);
    if (g.state == SocksParse::error) s.state = SocksStep::State::malformed;
    if (g.state != SocksParse::done) return s;
    if (!no_auth) {
        s.state = SocksStep::State::unsupported;
        return s;
    }
    if (!greeted) {
        greeted = true;
        s.reply_to_client = std::string("\x05\x00", 2);
    }
    const std::string_view rest = bytes.substr(g.length);
    const SocksResult r = parse_socks5_request(rest, target);
    if (r.state == SocksParse::error) s.state = SocksStep::State::malformed;
    if (r.state != SocksParse::done) return s;
    SocksStep out = judged(policy, target, std::string("\x05\x01\x00", 3), std::string(rest));
    out.reply_to_client = std::move(s.reply_to_client);
    return out;
}

}  // namespace vigil::web_threat
