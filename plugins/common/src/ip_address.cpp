#include "vigil/common/ip_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace vigil::common {

namespace {

bool prefix_match(const uint8_t* a, const uint8_t* b, unsigned length) {
    const unsigned full = length / 8, rest = length % 8;
    if (std::memcmp(a, b, full) != 0) return false;
    if (rest == 0) return true;
    const uint8_t mask = uint8_t(0xff << (8 - rest));
    return (a[full] & mask) == (b[full] & mask);
}

bool parse_length(std::string_view text, unsigned max, unsigned& out) {
    if (text.empty() || text.size() > 3) return false;
    unsigned v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + unsigned(c - '0');
    }
    if (text.size() > 1 && text[0] == '0') return false;
    if (v > max) return false;
    out = v;
    return true;
}

}  // namespace

IpAddress IpAddress::v4(const uint8_t* p) {
    IpAddress a;
    a.family = Family::v4;
    std::memcpy(a.bytes.data(), p, 4);
    return a;
}

IpAddress IpAddress::v6(const uint8_t* p) {
    IpAddress a;
    a.family = Family::v6;
    std::memcpy(a.bytes.data(), p, 16);
    return a;
}

std::string IpAddress::text() const {
    char buf[INET6_ADDRSTRLEN] = {0};
    if (is_v4()) return inet_ntop(AF_INET, bytes.data(), buf, sizeof buf) ? buf : "";
    if (is_v6()) return inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf) ? buf : "";
    return "";
}

bool IpAddress::is_loopback() const {
    if (is_v4()) return bytes[0] == 127;
    static const uint8_t one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return is_v6() && std::memcmp(bytes.data(), one, 16) == 0;
}

bool IpAddress::is_link_local() const {
    if (is_v4()) return bytes[0] == 169 && bytes[1] == 254;
    return is_v6() && bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80;
}

bool IpAddress::is_multicast() const {
    if (is_v4()) return (bytes[0] & 0xf0) == 0xe0;
    return is_v6() && bytes[0] == 0xff;
}

bool IpAddress::is_unspecified() const {
    if (empty()) return false;
    for (unsigned i = 0; i < bits() / 8; ++i)
        if (bytes[i]) return false;
    return true;
}

bool IpAddress::is_broadcast() const {
    return is_v4() && bytes[0] == 255 && bytes[1] == 255 && bytes[2] == 255 && bytes[3] == 255;
}

bool IpAddress::is_v4_mapped() const {
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return is_v6() && std::memcmp(bytes.data(), prefix, 12) == 0;
}

IpAddress IpAddress::unmapped() const { return is_v4_mapped() ? v4(bytes.data() + 12) : *this; }

size_t IpAddressHash::operator()(const IpAddress& a) const noexcept {
    // FNV-1a over the family and the used bytes.
    uint64_t h = 1469598103934665603ull ^ uint8_t(a.family);
    const unsigned n = a.is_v4() ? 4 : 16;
    for (unsigned i = 0; i < n; ++i) h = (h ^ a.bytes[i]) * 1099511628211ull;
    return size_t(h);
}

IpPrefix IpPrefix::of(const IpAddress& a, unsigned length) {
    IpPrefix p;
    p.address = a;
    p.length = length > a.bits() ? a.bits() : length;
    const unsigned n = a.bits() / 8;
    for (unsigned i = 0; i < n; ++i) {
        const unsigned first_bit = i * 8;
        if (first_bit >= p.length) {
            p.address.bytes[i] = 0;
        } else if (first_bit + 8 > p.length) {
            p.address.bytes[i] &= uint8_t(0xff << (8 - (p.length - first_bit)));
        }
    }
    return p;
}

bool IpPrefix::contains(const IpAddress& a) const {
    return a.family == address.family && prefix_match(a.bytes.data(), address.bytes.data(), length);
}

bool IpPrefix::covers(const IpPrefix& other) const {
    return other.length >= length && contains(other.address);
}

std::string IpPrefix::text() const {
    return is_host() ? address.text() : address.text() + "/" + std::to_string(length);
}

std::optional<IpAddress> parse_ip_address(std::string_view text) {
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    const std::string s(text);
    uint8_t buf[16];
    if (s.find(':') == std::string::npos) {
        if (inet_pton(AF_INET, s.c_str(), buf) == 1) return IpAddress::v4(buf);
        return std::nullopt;
    }
    if (inet_pton(AF_INET6, s.c_str(), buf) == 1) return IpAddress::v6(buf);
    return std::nullopt;
}

std::optional<IpPrefix> parse_ip_prefix(std::string_view text, std::string* error) {
    const auto fail = [&](const std::string& why) -> std::optional<IpPrefix> {
        if (error) *error = why;
        return std::nullopt;
    };
    const size_t slash = text.find('/');
    const auto addr = parse_ip_address(text.substr(0, slash));
    if (!addr) return fail("'" + std::string(text.substr(0, slash)) + "' is not an IPv4 or IPv6 address");
    if (slash == std::string_view::npos) return IpPrefix::of(*addr, addr->bits());
    unsigned length = 0;
    if (!parse_length(text.substr(slash + 1), addr->bits(), length))
        return fail("prefix length '" + std::string(text.substr(slash + 1)) + "' is out of range 0-" +
                    std::to_string(addr->bits()));
    return IpPrefix::of(*addr, length);
}

}  // namespace vigil::common
