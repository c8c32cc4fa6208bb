// Lists the plugin brings itself: the host names of well-known public
// DNS-over-HTTPS resolvers (an application that resolves through them hides
// every name from the DNS forwarder), blocked by SNI, Host and DNS name as
// category "other" under the list name "doh_endpoints" (setting block_doh).
#pragma once

#include <vector>

#include "list_loader.hpp"
#include "settings.hpp"

namespace vigil::web_threat {

std::vector<SentList> builtin_lists(const Settings& s);

}  // namespace vigil::web_threat
