// Arguments of the plugin's commands, parsed strictly (common::Args: a
// wrong type, an unknown key or an oversized value is an error naming it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "list_loader.hpp"
#include "verdict.hpp"

namespace vigil::web_threat {

// web_threat.set_lists {"lists":[{"name","format","category"?,"match"?,"content"}]}:
// the lists the central node sends; they replace the lists it sent before.
// The content of all lists together is at most `max_total_bytes`.
std::vector<SentList> parse_set_lists(std::string_view args_json, uint64_t max_total_bytes);

// web_threat.check {"url"|"host"|"ip": text} or one positional word (an
// address, a URL when it has a '/', else a host name).
Target parse_check(std::string_view args_json);

// The reply of web_threat.check.
std::string verdict_json(const Verdict& v, const Target& t, bool block_mode);

}  // namespace vigil::web_threat
