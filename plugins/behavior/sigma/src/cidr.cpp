#include "cidr.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <string>

namespace vigil::behavior::sigma {

std::optional<IpAddress> parse_ip(std::string_view text) {
    // inet_pton needs a C string; addresses are short, so a stack copy.
    char buf[INET6_ADDRSTRLEN + 1];
    if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
    text.copy(buf, text.size());
    buf[text.size()] = '\0';
    IpAddress a;
    if (inet_pton(AF_INET, buf, a.bytes.data()) == 1) return a;
    if (inet_pton(AF_INET6, buf, a.bytes.data()) != 1) return std::nullopt;
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(std::begin(kMapped), std::end(kMapped), a.bytes.begin())) {
        IpAddress v4;
        std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.bytes.begin());
        return v4;
    }
    a.v6 = true;
    return a;
}

CidrMatcher::CidrMatcher(std::string_view network) {
    std::string_view addr = network;
    std::optional<unsigned> prefix;
    if (auto slash = network.find('/'); slash != std::string_view::npos) {
        addr = network.substr(0, slash);
        std::string_view digits = network.substr(slash + 1);
        unsigned n = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
        if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty())
            throw std::invalid_argument("invalid cidr prefix length in '" + std::string(network) + "'");
        prefix = n;
    }
    auto a = parse_ip(addr);
    if (!a) throw std::invalid_argument("invalid cidr network '" + std::string(network) + "'");
    net_ = *a;
    unsigned max = net_.v6 ? 128 : 32;
    prefix_ = prefix.value_or(max);
    // parse_ip folds an IPv4-mapped network (::ffff:10.0.0.0/104) to IPv4.
    bool folded_mapped = !net_.v6 && addr.find(':') != std::string_view::npos;
    if (folded_mapped && prefix) {
        if (*prefix < 96) throw std::invalid_argument("cidr prefix too short for a mapped network in '" + std::string(network) + "'");
        prefix_ = *prefix - 96;
    }
    if (prefix_ > max) throw std::invalid_argument("cidr prefix length too large in '" + std::string(network) + "'");
}

bool CidrMatcher::contains(std::string_view address) const {
    auto a = parse_ip(address);
    if (!a || a->v6 != net_.v6) return false;
    unsigned full = prefix_ / 8, rest = prefix_ % 8;
    for (unsigned i = 0; i < full; ++i)
        if (a->bytes[i] != net_.bytes[i]) return false;
    if (rest == 0) return true;
    auto mask = static_cast<std::uint8_t>(0xFF00u >> rest);
    return (a->bytes[full] & mask) == (net_.bytes[full] & mask);
}

}  // namespace vigil::behavior::sigma
