#include "host_name.hpp"

#include <cstdint>

namespace vigil::web_threat {

namespace {

// One inet_aton component: decimal, octal (leading 0) or hex (0x).
std::optional<uint64_t> number_of(std::string_view s) {
    if (s.empty()) return std::nullopt;
    unsigned base = 10;
    if (s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s.remove_prefix(2);
        if (s.empty()) return uint64_t(0);  // "0x" alone is 0, as inet_aton has it
    } else if (s.size() > 1 && s[0] == '0') {
        base = 8;
        s.remove_prefix(1);
    }
    uint64_t v = 0;
    for (char c : s) {
        unsigned d;
        if (c >= '0' && c <= '9')
            d = unsigned(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = unsigned(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = unsigned(c - 'A' + 10);
        else
            return std::nullopt;
        if (d >= base) return std::nullopt;
        v = v * base + d;
        if (v > 0xffffffffull) return std::nullopt;
    }
    return v;
}

}  // namespace

std::optional<common::IpAddress> address_of_host(std::string_view host) {
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    // Names start with a letter and hold no ':': most hosts stop here.
    if (host.empty() || ((host[0] < '0' || host[0] > '9') && host.find(':') == std::string_view::npos))
        return std::nullopt;
    auto ip = common::parse_ip_address(host);
    if (!ip) return std::nullopt;
    return ip->unmapped();
}

std::optional<std::string> ipv4_of_host(std::string_view host) {
    // Every inet_aton component starts with a digit: names fail here at once.
    if (host.empty() || host[0] < '0' || host[0] > '9') return std::nullopt;
    uint64_t parts[4];
    size_t count = 0;
    for (;;) {
        const size_t dot = host.find('.');
        auto n = number_of(host.substr(0, dot));
        if (!n || count == 4) return std::nullopt;
        parts[count++] = *n;
        if (dot == std::string_view::npos) break;
        host.remove_prefix(dot + 1);
    }
    // The last part fills the bytes the earlier ones left.
    uint64_t value = 0;
    for (size_t i = 0; i + 1 < count; ++i) {
        if (parts[i] > 255) return std::nullopt;
        value |= parts[i] << (24 - 8 * i);
    }
    const unsigned rest_bits = unsigned(32 - 8 * (count - 1));
    if (rest_bits < 32 && parts[count - 1] >= (uint64_t(1) << rest_bits)) return std::nullopt;
    value |= parts[count - 1];
    return std::to_string((value >> 24) & 255) + "." + std::to_string((value >> 16) & 255) + "." +
           std::to_string((value >> 8) & 255) + "." + std::to_string(value & 255);
}

std::string canonical_host(std::string_view host) {
    std::string out;
    out.reserve(host.size());
    for (char c : host) {
        if (c == '.' && (out.empty() || out.back() == '.')) continue;  // leading or repeated dots
        out.push_back(c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c);
    }
    while (!out.empty() && out.back() == '.') out.pop_back();
    if (auto v4 = ipv4_of_host(out)) return *v4;
    return out;
}

bool valid_domain(std::string_view name, std::string* why) {
    auto fail = [&](std::string text) {
        if (why) *why = std::move(text);
        return false;
    };
    if (name.empty()) return fail("empty name");
    if (name.size() > 253) return fail("name longer than 253 characters");
    size_t label = 0;
    for (char c : name) {
        if (c == '.') {
            if (label == 0) return fail("empty label");
            label = 0;
            continue;
        }
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) {
            const unsigned char u = static_cast<unsigned char>(c);
            if (u < 0x20 || u >= 0x7f) return fail("a control or non-ASCII byte (use the xn-- form)");
            return fail(std::string("character '") + c + "' is not allowed in a host name");
        }
        if (++label > 63) return fail("a label longer than 63 characters");
    }
    if (label == 0) return fail("empty label");
    return true;
}

}  // namespace vigil::web_threat
