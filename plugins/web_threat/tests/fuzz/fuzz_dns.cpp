// libFuzzer: a datagram on the DNS port through the query parser; what
// parses gets each kind of block answer, which must parse back as a
// response with the same question. The same bytes as a DNS-over-TCP stream:
// the frames must tile it and frame back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view msg(reinterpret_cast<const char*>(data), size);
    frames(msg);
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
