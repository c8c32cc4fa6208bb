#include "dns_message.hpp"

namespace vigil::web_threat {

namespace {

uint16_t be16(std::string_view s, size_t at) { return uint16_t(uint8_t(s[at]) << 8 | uint8_t(s[at + 1])); }

void put16(std::string& out, uint16_t v) {
    out.push_back(char(v >> 8));
    out.push_back(char(v & 255));
}

// The question name at `pos` (no compression pointers: a query has nothing
// to point back to); `pos` ends after it.
bool read_name(std::string_view msg, size_t& pos, std::string& name, std::string& why) {
    name.clear();
    for (size_t total = 0;;) {
        if (pos >= msg.size()) return why = "truncated name", false;
        const auto len = uint8_t(msg[pos++]);
        if (len == 0) return true;
        if (len > 63) return why = "compressed or extended label in a question", false;
        if (pos + len > msg.size()) return why = "truncated label", false;
        total += len + 1;
        if (total > 254) return why = "name longer than 255 bytes", false;
        if (!name.empty()) name.push_back('.');
        for (char c : msg.substr(pos, len)) name.push_back(c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c);
        pos += len;
    }
}

}  // namespace

bool parse_dns_query(std::string_view msg, DnsQuery& out, std::string& why) {
    if (msg.size() < 12) return why = "shorter than a DNS header", false;
    out.id = be16(msg, 0);
    out.flags = be16(msg, 2);
    if (out.flags & 0x8000) return why = "a response, not a query", false;
    if ((out.flags >> 11 & 0xf) != 0) return why = "not a standard query", false;
    if (be16(msg, 4) != 1) return why = "not exactly one question", false;
    if (be16(msg, 6) != 0 || be16(msg, 8) != 0) return why = "a query with answer or authority records", false;
    if (be16(msg, 10) > 1) return why = "more than one additional record", false;
    size_t pos = 12;
    if (!read_name(msg, pos, out.name, why)) return false;
    if (pos + 4 > msg.size()) return why = "truncated question", false;
    out.qtype = be16(msg, pos);
    out.qclass = be16(msg, pos + 2);
    out.question_end = pos + 4;
    return true;
}

std::string dns_block_answer(std::string_view msg, const DnsQuery& q, DnsBlockMode mode,
                             const std::array<uint8_t, 4>& sinkhole) {
    const bool a = q.qtype == kDnsA, aaaa = q.qtype == kDnsAAAA;
    const bool nxdomain = mode == DnsBlockMode::nxdomain;
    // Sinkhole: A -> the sinkhole, AAAA -> no data; null: A -> 0.0.0.0, AAAA -> ::.
    const bool answer = !nxdomain && q.qclass == 1 && (a || (aaaa && mode == DnsBlockMode::null));
    std::string out;
    put16(out, q.id);
    // QR, the query's opcode and RD, RA; rcode NXDOMAIN (3) or NOERROR.
    put16(out, uint16_t(0x8000 | (q.flags & 0x7900) | 0x0080 | (nxdomain ? 3 : 0)));
    put16(out, 1);
    put16(out, answer ? 1 : 0);
    put16(out, 0);
    put16(out, 0);
    out.append(msg.substr(12, q.question_end - 12));
    if (answer) {
        put16(out, 0xc00c);  // the name: a pointer to the question
        put16(out, q.qtype);
        put16(out, 1);
        put16(out, 0);
        put16(out, 60);  // TTL 60 s: a list change takes effect soon
        if (a) {
            put16(out, 4);
            for (uint8_t b : mode == DnsBlockMode::sinkhole ? sinkhole : std::array<uint8_t, 4>{0, 0, 0, 0})
                out.push_back(char(b));
        } else {
            put16(out, 16);
            out.append(16, '\0');
        }
    }
    return out;
}

size_t dns_tcp_frame(std::string_view stream, std::string_view& msg) {
    if (stream.size() < 2) return 0;
    const size_t len = (size_t(uint8_t(stream[0])) << 8) | uint8_t(stream[1]);
    if (stream.size() - 2 < len) return 0;
    msg = stream.substr(2, len);
    return len + 2;
}

std::string dns_tcp_framed(std::string_view msg) {
    std::string out;
    out.reserve(msg.size() + 2);
    out.push_back(char(msg.size() >> 8));
    out.push_back(char(msg.size() & 255));
    out.append(msg);
    return out;
}

bool is_doh_canary(std::string_view name) { return name == "use-application-dns.net"; }

}  // namespace vigil::web_threat
