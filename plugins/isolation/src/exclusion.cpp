#include "exclusion.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <charconv>
#include <vigil/enum_table.hpp>

namespace vigil::isolation {

namespace {
// clang-format off
constexpr EnumName<Direction> kDirectionNames[] = {
    {Direction::inbound, "inbound"}, {Direction::outbound, "outbound"}, {Direction::both, "both"}};
// clang-format on

}  // namespace

std::string_view to_string(Direction d) { return vigil::enum_name(kDirectionNames, d, "both"); }

std::string PortRange::text() const {
    if (first == last) return std::to_string(first);
    return std::to_string(first) + "-" + std::to_string(last);
}

bool Cidr::is_v6() const { return family == AF_INET6; }

std::string Cidr::address_text() const {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(family, bytes.data(), buf, sizeof buf);
    return buf;
}

std::string Cidr::text() const {
    const int full = is_v6() ? 128 : 32;
    if (prefix == full) return address_text();
    return address_text() + "/" + std::to_string(prefix);
}

namespace {

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

bool parse_uint(std::string_view s, unsigned long& out) {
    if (s.empty() || s.size() > 10) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

uint16_t parse_port(std::string_view s, std::string_view field, std::string_view whole) {
    unsigned long v = 0;
    if (!parse_uint(s, v))
        throw ValidationError(std::string(field) + ": " + quoted(whole) +
                              " is not a port or port range (N or N-M)");
    if (v < 1 || v > 65535)
        throw ValidationError(std::string(field) + ": port " + std::string(s) + " is out of range 1-65535");
    return uint16_t(v);
}

}  // namespace

Cidr parse_cidr(std::string_view text, std::string_view field) {
    const auto bad = [&](const std::string& why) {
        return ValidationError(std::string(field) + ": " + quoted(text) + " " + why);
    };
    if (text.empty()) throw bad("is empty; expected an IPv4/IPv6 address or CIDR");
    std::string addr(text);
    std::optional<unsigned long> prefix;
    if (auto slash = addr.find('/'); slash != std::string::npos) {
        unsigned long p = 0;
        if (!parse_uint(std::string_view(addr).substr(slash + 1), p))
            throw bad("has an invalid prefix length");
        prefix = p;
        addr.resize(slash);
    }
    Cidr c;
    if (inet_pton(AF_INET, addr.c_str(), c.bytes.data()) == 1) {
        c.family = AF_INET;
    } else if (inet_pton(AF_INET6, addr.c_str(), c.bytes.data()) == 1) {
        c.family = AF_INET6;
    } else {
        throw bad("is not a valid IPv4/IPv6 address or CIDR");
    }
    const int full = c.is_v6() ? 128 : 32;
    if (prefix && *prefix > unsigned(full))
        throw bad("has prefix length " + std::to_string(*prefix) + " (maximum " + std::to_string(full) + ")");
    c.prefix = prefix ? int(*prefix) : full;
    // Canonical form: clear host bits so "10.1.2.3/8" means 10.0.0.0/8 as nft would.
    for (int bit = c.prefix; bit < full; ++bit) c.bytes[size_t(bit / 8)] &= uint8_t(~(0x80u >> (bit % 8)));
    return c;
}

PortRange parse_port_range_text(std::string_view text, std::string_view field) {
    PortRange r;
    if (auto dash = text.find('-'); dash != std::string_view::npos) {
        r.first = parse_port(text.substr(0, dash), field, text);
        r.last = parse_port(text.substr(dash + 1), field, text);
    } else {
        r.first = r.last = parse_port(text, field, text);
    }
    if (r.first > r.last)
        throw ValidationError(std::string(field) + ": range " + quoted(text) + " starts after it ends");
    return r;
}

uint8_t parse_protocol_name(std::string_view text, std::string_view field) {
    static const std::pair<std::string_view, uint8_t> names[] = {
        {"icmp", 1},    {"tcp", 6},        {"udp", 17},   {"gre", 47},      {"esp", 50}, {"ah", 51},
        {"icmpv6", 58}, {"ipv6-icmp", 58}, {"sctp", 132}, {"udplite", 136}, {"dccp", 33}};
    for (const auto& [name, num] : names)
        if (text == name) return num;
    unsigned long v = 0;
    if (!parse_uint(text, v))
        throw ValidationError(
            std::string(field) + ": " + quoted(text) +
            " is not a protocol number (0-255) or a known name (tcp, udp, icmp, icmpv6, ...)");
    if (v > 255)
        throw ValidationError(std::string(field) + ": protocol " + std::string(text) +
                              " is out of range 0-255");
    return uint8_t(v);
}

bool protocol_has_ports(uint8_t p) { return p == 6 || p == 17 || p == 33 || p == 132 || p == 136; }

void check_exclusion(const Exclusion& e, std::string_view field) {
    const std::string f(field);
    if ((e.remote_ports || e.local_ports) && e.direction == Direction::both)
        throw ValidationError(f + ": a port range needs direction inbound or outbound, not both");
    if (e.remote_ports && e.direction != Direction::outbound)
        throw ValidationError(f + ": remote_ports is only valid with direction outbound");
    if (e.local_ports && e.direction != Direction::inbound)
        throw ValidationError(f + ": local_ports is only valid with direction inbound");
    if ((e.remote_ports || e.local_ports) && e.protocol && !protocol_has_ports(*e.protocol))
        throw ValidationError(
            f + ": protocol " + std::to_string(*e.protocol) +
            " has no ports; port ranges need tcp (6), udp (17), sctp (132), udplite (136) or dccp (33)");
    if (e.protocol && e.remote) {
        if (*e.protocol == 1 && e.remote->is_v6())
            throw ValidationError(f + ": protocol icmp (1) does not exist over IPv6 (use 58)");
        if (*e.protocol == 58 && !e.remote->is_v6())
            throw ValidationError(f + ": protocol icmpv6 (58) does not exist over IPv4 (use 1)");
    }
    if (e.cgroup) {
        const std::string& c = *e.cgroup;
        if (c.empty()) throw ValidationError(f + ".cgroup: is empty");
        if (c.size() > 4000) throw ValidationError(f + ".cgroup: path is too long");
        for (char ch : c)
            if (ch == '"' || ch == '\\' || ch == '\n' || ch == '\r' || ch == '\0' || ch == '\t')
                throw ValidationError(f + ".cgroup: path contains a quote, backslash or control character");
        size_t pos = 0;
        while (pos <= c.size()) {
            size_t next = c.find('/', pos);
            if (next == std::string::npos) next = c.size();
            std::string_view part(c.data() + pos, next - pos);
            if (part == "." || part == "..")
                throw ValidationError(f + ".cgroup: path must not contain '.' or '..' components");
            pos = next + 1;
        }
    }
    if (!e.protocol && !e.remote && !e.remote_ports && !e.local_ports && !e.cgroup)
        throw ValidationError(f +
                              ": would allow all traffic; give at least one of remote_address, protocol, "
                              "remote_ports, local_ports or cgroup");
    if (e.comment.size() > 256) throw ValidationError(f + ".comment: longer than 256 characters");
}

}  // namespace vigil::isolation
