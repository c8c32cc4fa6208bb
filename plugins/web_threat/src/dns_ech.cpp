#include "dns_ech.hpp"

#include <utility>
#include <vector>

#include "dns_message.hpp"

namespace vigil::web_threat {

namespace {

uint16_t be16(std::string_view s, size_t at) { return uint16_t(uint8_t(s[at]) << 8 | uint8_t(s[at + 1])); }

void put16(std::string& out, size_t at, uint16_t v) {
    out[at] = char(v >> 8);
    out[at + 1] = char(v & 255);
}

// One pass over an answer: where its compression pointers are, which byte
// ranges go (ech params) and which RDLENGTH fields change.
struct Walk {
    std::string_view m;
    size_t pos = 12;
    std::vector<size_t> pointers;
    std::vector<std::pair<size_t, size_t>> removed;     // [from, to), in order
    std::vector<std::pair<size_t, uint16_t>> rdlengths;  // field offset, new value
    uint32_t records = 0;
    std::string why;
    bool fail(const char* what) { return why = what, false; }
};

// A name in place: labels up to the root or a compression pointer, which
// must point backward, past the header.
bool name(Walk& w, size_t end) {
    for (size_t total = 0;;) {
        if (w.pos >= end) return w.fail("truncated name");
        const auto len = uint8_t(w.m[w.pos]);
        if ((len & 0xc0) == 0xc0) {
            if (w.pos + 2 > end) return w.fail("truncated compression pointer");
            const size_t target = be16(w.m, w.pos) & 0x3fff;
            if (target >= w.pos || target < 12) return w.fail("compression pointer not pointing back into the message");
            w.pointers.push_back(w.pos);
            w.pos += 2;
            return true;
        }
        if (len & 0xc0) return w.fail("extended label type in a name");
        ++w.pos;
        if (len == 0) return true;
        total += len + 1;
        if (total > 255) return w.fail("name longer than 255 bytes");
        if (w.pos + len > end) return w.fail("truncated label");
        w.pos += len;
    }
}

// SVCB/HTTPS RDATA (RFC 9460): priority, target name, SvcParams that must
// tile the rest exactly. Every `ech` param is marked for removal.
bool svcb(Walk& w, size_t rdlength_at, size_t end) {
    if (w.pos + 2 > end) return w.fail("truncated SVCB priority");
    w.pos += 2;
    if (!name(w, end)) return false;
    size_t cut = 0;
    while (w.pos < end) {
        if (w.pos + 4 > end) return w.fail("truncated SvcParam");
        const size_t next = w.pos + 4 + be16(w.m, w.pos + 2);
        if (next > end) return w.fail("SvcParam longer than its record");
        if (be16(w.m, w.pos) == 5) {
            w.removed.emplace_back(w.pos, next);
            cut += next - w.pos;
        }
        w.pos = next;
    }
    if (cut) {
        w.rdlengths.emplace_back(rdlength_at, uint16_t(be16(w.m, rdlength_at) - cut));
        ++w.records;
    }
    return true;
}

// The names in RDATA of the types whose names may be compressed (RFC 1035
// and its kin; SRV too, as some servers do): their pointers move as well.
bool rdata_names(Walk& w, uint16_t type, size_t end) {
    size_t skip = 0, names = 1, after = 0;
    switch (type) {
        case 2: case 3: case 4: case 5: case 7: case 8: case 9: case 12: case 39: break;
        case 15: case 18: case 21: case 36: skip = 2; break;
        case 33: skip = 6; break;
        case 14: case 17: names = 2; break;
        case 6: names = 2, after = 20; break;
        default: w.pos = end; return true;
    }
    if (w.pos + skip > end) return w.fail("truncated RDATA");
    w.pos += skip;
    for (; names; --names)
        if (!name(w, end)) return false;
    if (w.pos + after != end) return w.fail("RDATA length does not match its names");
    return true;
}

bool record(Walk& w) {
    if (!name(w, w.m.size())) return false;
    if (w.pos + 10 > w.m.size()) return w.fail("truncated record");
    const uint16_t type = be16(w.m, w.pos);
    const size_t rdlength_at = w.pos + 8, end = w.pos + 10 + be16(w.m, rdlength_at);
    w.pos += 10;
    if (end > w.m.size()) return w.fail("RDATA longer than the message");
    return type == kDnsSVCB || type == kDnsHTTPS ? svcb(w, rdlength_at, end) : rdata_names(w, type, end);
}

bool walk(Walk& w) {
    if (w.m.size() < 12) return w.fail("shorter than a DNS header");
    for (uint16_t q = be16(w.m, 4); q; --q) {
        if (!name(w, w.m.size())) return false;
        if (w.pos + 4 > w.m.size()) return w.fail("truncated question");
        w.pos += 4;
    }
    const size_t records = size_t(be16(w.m, 6)) + be16(w.m, 8) + be16(w.m, 10);
    for (size_t i = 0; i < records; ++i)
        if (!record(w)) return false;
    return true;
}

// How far an offset moves left once the removed ranges are gone; `inside`
// when it lies in one of them.
size_t shift(const Walk& w, size_t at, bool& inside) {
    size_t by = 0;
    for (const auto& [from, to] : w.removed) {
        if (at >= to) by += to - from;
        else if (at >= from) inside = true;
    }
    return by;
}

bool rewrite(const Walk& w, std::string& out, std::string& why) {
    std::string r;
    r.reserve(w.m.size());
    size_t at = 0;
    for (const auto& [from, to] : w.removed) {
        r.append(w.m.substr(at, from - at));
        at = to;
    }
    r.append(w.m.substr(at));
    bool inside = false;
    for (const auto& [field, value] : w.rdlengths) put16(r, field - shift(w, field, inside), value);
    for (size_t p : w.pointers) {
        const size_t target = be16(w.m, p) & 0x3fff;
        const size_t moved = target - shift(w, target, inside);
        if (inside) return why = "compression pointer into a removed ech param", false;
        put16(r, p - shift(w, p, inside), uint16_t(0xc000 | moved));
    }
    out = std::move(r);
    return true;
}

// A reply of `msg`'s header (id, opcode, RD) with `flags` added, and its
// question when it has exactly one uncompressed question that parses.
std::string head_and_question(std::string_view msg, uint16_t flags) {
    std::string out(12, '\0');
    put16(out, 0, be16(msg, 0));
    put16(out, 2, uint16_t(0x8000 | (be16(msg, 2) & 0x7900) | flags));
    Walk w{msg};
    if (be16(msg, 4) == 1 && name(w, msg.size()) && w.pointers.empty() && w.pos + 4 <= msg.size()) {
        put16(out, 4, 1);
        out.append(msg.substr(12, w.pos + 4 - 12));
    }
    return out;
}

}  // namespace

EchStrip strip_ech(std::string_view answer, std::string& out) {
    EchStrip s;
    Walk w{answer};
    if (!walk(w)) {
        s.why = w.why;
        // Cut short by the sender (TC): no records, TC kept, so the client
        // asks again over TCP as it would have.
        if (answer.size() >= 12 && (be16(answer, 2) & 0x0200)) {
            out = head_and_question(answer, uint16_t(be16(answer, 2) & 0x068f));
            s.result = EchStrip::Result::truncated;
            return s;
        }
        s.result = EchStrip::Result::malformed;
        return s;
    }
    if (w.removed.empty()) return s;
    if (!rewrite(w, out, s.why)) {
        s.result = EchStrip::Result::malformed;
        return s;
    }
    s.result = EchStrip::Result::stripped;
    s.records = w.records;
    return s;
}

std::string dns_servfail(std::string_view msg) {
    if (msg.size() < 12) return "";
    return head_and_question(msg, 0x0080 | 2);
}

}  // namespace vigil::web_threat
