// Matching of signature rules against one captured packet.
#include "rules.hpp"

#include <algorithm>
#include <cctype>

#include "rules_regex.hpp"

namespace vigil::network_threat {

bool PortSet::contains(uint16_t port) const {
    if (any) return true;
    const bool in = std::any_of(ranges.begin(), ranges.end(),
                                [&](const PortRange& r) { return port >= r.low && port <= r.high; });
    return in != negated;
}

bool AddressSet::contains(const IpAddress& a) const {
    if (any) return true;
    const bool in = std::any_of(prefixes.begin(), prefixes.end(),
                                [&](const common::IpPrefix& p) { return p.contains(a); });
    return in != negated;
}

bool content_matches(const ContentMatch& c, std::span<const uint8_t> payload) {
    const size_t begin = c.offset.value_or(0);
    size_t end = payload.size();
    if (c.depth) end = std::min(end, begin + *c.depth);
    bool found = false;
    if (begin < end && end - begin >= c.bytes.size()) {
        const auto region = payload.subspan(begin, end - begin);
        const auto eq = [&](uint8_t a, char b) {
            return c.nocase ? std::tolower(a) == std::tolower(static_cast<unsigned char>(b))
                            : a == uint8_t(b);
        };
        found = std::search(region.begin(), region.end(), c.bytes.begin(), c.bytes.end(), eq) != region.end();
    }
    return found != c.negated;
}

std::vector<const Rule*> RuleSet::match(const Packet& p) const {
    std::vector<const Rule*> out;
    if (p.payload.empty()) return out;
    for (const auto& r : rules_) {
        if (r.protocol != p.protocol || !r.dport.contains(p.dport) || !r.sport.contains(p.sport) ||
            !r.src.contains(p.src) || !r.dst.contains(p.dst))
            continue;
        const bool contents = std::all_of(r.contents.begin(), r.contents.end(), [&](const ContentMatch& c) {
            return content_matches(c, p.payload);
        });
        if (contents && (!r.pcre || r.pcre->search(p.payload))) out.push_back(&r);
    }
    return out;
}

std::vector<PortRange> RuleSet::capture_ports(uint8_t protocol) const {
    std::vector<PortRange> all;
    for (const auto& r : rules_)
        if (r.protocol == protocol) all.insert(all.end(), r.dport.ranges.begin(), r.dport.ranges.end());
    std::sort(all.begin(), all.end(), [](const PortRange& a, const PortRange& b) { return a.low < b.low; });
    std::vector<PortRange> merged;
    for (const auto& r : all) {
        if (!merged.empty() && uint32_t(r.low) <= uint32_t(merged.back().high) + 1)
            merged.back().high = std::max(merged.back().high, r.high);
        else
            merged.push_back(r);
    }
    return merged;
}

}  // namespace vigil::network_threat
