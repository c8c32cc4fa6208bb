// The decision for one connection or request: trusted addresses first
// (they override every list), then the block lists by destination IP, host
// name and URL.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>
#include <vigil/common/ip_address.hpp>

#include "list_set.hpp"

namespace vigil::web_threat {

// What is known about the destination when the verdict is made.
struct Target {
    std::string host;                 // canonical host (SNI, Host header, DNS name); may be empty
    std::optional<CanonicalUrl> url;  // only for plain HTTP requests
    common::IpAddress ip;             // the original destination; may be empty (DNS)
};

enum class Decision : uint8_t { allow, block, trusted };
const char* decision_name(Decision d);

struct Verdict {
    Decision decision = Decision::allow;
    std::optional<Match> match;  // the block entry, or the trusted entry
    std::string list;            // the matched list's name
    // Trusted: the block entry the trusted address overrode (reported as
    // action "trusted"), if any.
    std::optional<Match> overridden;
    std::string overridden_list;
};

Verdict judge(const ListSet& blocked, const ListSet& trusted, const Target& t, CategoryMask enabled);

class TrustedAddressError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The trusted_addresses setting as a list set: "example.org" or
// "*.example.org" (the domain and everything below it), "10.0.0.0/8" or an
// address, or a URL ("https://example.org/app/": that path and below).
// Throws TrustedAddressError naming the entry by its index.
std::shared_ptr<const ListSet> build_trusted(const std::vector<std::string>& entries);

}  // namespace vigil::web_threat
