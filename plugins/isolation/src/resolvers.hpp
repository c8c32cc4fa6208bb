// The DNS resolvers the host is configured with, read once when an isolation
// starts: only they stay reachable on port 53 (with allow_dns).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigil::isolation {

// Numeric addresses of the `nameserver` lines of a resolv.conf text, in
// order, without duplicates. A zone suffix ("fe80::1%eth0") is dropped (nft
// matches the address); anything that is not an IPv4/IPv6 address is skipped.
std::vector<std::string> parse_resolv_conf(std::string_view text);

struct ResolverFiles {
    std::string resolv_conf = "/etc/resolv.conf";
    // Where systemd-resolved lists its upstream servers: when resolv.conf
    // points at a local stub (127.0.0.53), the stub forwards to these.
    std::string stub_upstreams = "/run/systemd/resolve/resolv.conf";
};

// Resolvers from resolv.conf, plus the stub's upstreams when one of them is a
// loopback address (loopback itself is always allowed). Files that cannot be
// read count as empty.
std::vector<std::string> system_resolvers(const ResolverFiles& files = {});

}  // namespace vigil::isolation
