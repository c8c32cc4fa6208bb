// A cheap question to the kernel: does nftables table `inet NAME` exist?
// One netlink round trip (tens of microseconds), where libnftables'
// "list tables" builds its whole cache first (about 2 ms of CPU with this
// plugin's ruleset) — the drift check asks every two seconds.
#pragma once

#include <optional>
#include <string_view>

namespace vigil::network_threat {

// true / false, or nullopt when the kernel could not be asked.
std::optional<bool> nft_inet_table_exists(std::string_view name);

}  // namespace vigil::network_threat
