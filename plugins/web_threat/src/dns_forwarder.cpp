#include "dns_forwarder.hpp"

#include <cstdlib>

#include <vigil/json_writer.hpp>

#include "dns_ech.hpp"
#include "dns_udp.hpp"
#include "host_name.hpp"

namespace vigil::web_threat {

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
    number_threat(in, policy);
    // A trusted name that a list entry also matches is reported
    // (action trusted) and forwarded, as on the web ports.
    if (in.verdict.decision == Decision::trusted && in.verdict.overridden) {
        step.inspection = std::move(in);
        return step;
    }
    if (in.verdict.decision != Decision::block) return step;
    in.blocked = policy.block;
    if (in.blocked) {
        step.answer_now = true;
        step.answer = dns_block_answer(msg, q, mode);
    }
    step.inspection = std::move(in);
    return step;
}

std::string_view client_answer(std::string_view answer, std::string_view query, const DnsConfig& config,
                               Reporter* reporter, std::string& scratch) {
    if (!config.strip_ech) return answer;
    const EchStrip s = strip_ech(answer, scratch);
    JsonWriter w;
    switch (s.result) {
        case EchStrip::Result::unchanged: return answer;
        case EchStrip::Result::truncated: return scratch;
        case EchStrip::Result::stripped:
            w.begin_object().field("type", "dns").field("event", "ech_stripped").field("records", uint64_t(s.records));
            break;
        case EchStrip::Result::malformed:
            scratch = dns_servfail(query.size() >= 12 ? query : answer);
            w.begin_object().field("type", "dns").field("event", "servfail").field("reason", s.why);
            break;
    }
    if (reporter) reporter->send(w.end_object().take());
    return scratch;
}

void serve_dns(const std::vector<int>& sockets, const Policy& policy, const DnsConfig& config, Reporter* reporter) {
    DnsUdpForwarder(sockets, policy, config, reporter).run();
    std::abort();  // run() without a stop flag does not return
}

}  // namespace vigil::web_threat
