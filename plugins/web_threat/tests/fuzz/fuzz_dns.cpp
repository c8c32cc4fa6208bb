// libFuzzer: a datagram on the DNS port through the query parser; what
// parses gets each kind of block answer, which must parse back as a
// response with the same question. The same bytes as a DNS-over-TCP stream:
// the frames must tile it and frame back to the same bytes. The same bytes
// as an upstream answer through the ECH stripper: what it gives the client
// must walk again with no ech param left and be no longer than the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dns_ech.hpp"
#include "dns_message.hpp"

using namespace vigil::web_threat;

namespace {

void frames(std::string_view stream) {
    std::string_view msg;
    while (const size_t took = dns_tcp_frame(stream, msg)) {
        if (took != msg.size() + 2 || took > stream.size() || dns_tcp_framed(msg) != stream.substr(0, took)) std::abort();
        stream.remove_prefix(took);
    }
}

void ech(std::string_view answer) {
    std::string out;
    const EchStrip s = strip_ech(answer, out);
    if (s.result == EchStrip::Result::unchanged || s.result == EchStrip::Result::malformed) {
        if (!out.empty()) std::abort();  // untouched
        if (s.result == EchStrip::Result::malformed && s.why.empty()) std::abort();
        const std::string fail = dns_servfail(answer);
        std::string again;
        if (!fail.empty() && strip_ech(fail, again).result != EchStrip::Result::unchanged) std::abort();
        return;
    }
    if (out.size() > answer.size() || out.compare(0, 2, answer.substr(0, 2)) != 0) std::abort();
    if (s.result == EchStrip::Result::stripped && s.records == 0) std::abort();
    std::string again;
    if (strip_ech(out, again).result != EchStrip::Result::unchanged) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view msg(reinterpret_cast<const char*>(data), size);
    frames(msg);
    ech(msg);
    DnsQuery q;
    std::string why;
    if (!parse_dns_query(msg, q, why)) return 0;
    for (auto mode : {DnsBlockMode::sinkhole, DnsBlockMode::null, DnsBlockMode::nxdomain}) {
        const std::string r = dns_block_answer(msg, q, mode);
        if (r.size() < q.question_end || r.compare(12, q.question_end - 12, msg.substr(12, q.question_end - 12)) != 0)
            std::abort();
        if ((uint8_t(r[2]) & 0x80) == 0 || r.substr(0, 2) != msg.substr(0, 2)) std::abort();
    }
    return 0;
}
