// Parsing of the plugin's JSON inputs (settings, command arguments, saved
// state) into validated values. Everything is checked here, before any
// ruleset is built: an input is accepted whole or refused with the field and
// the reason.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "endpoint.hpp"
#include "exclusion.hpp"

namespace vigil::isolation {

// Parses a JSON text into a document; throws ValidationError naming `what`.
rapidjson::Document parse_json_object(std::string_view text, std::string_view what);

// One exclusion object: {direction, protocol, remote_address, remote_ports,
// local_ports, cgroup, comment}. Unknown fields are refused.
Exclusion parse_exclusion(const rapidjson::Value& v, const std::string& field);

// An exclusion list given as an array, a single object, or a JSON string
// holding either (vigilctl passes --exclusions '[...]' as text when it does
// not parse, and one object when not repeated).
std::vector<Exclusion> parse_exclusion_list(const rapidjson::Value& v, const std::string& field);

// Endpoints given as a string or an array of strings.
std::vector<Endpoint> parse_endpoint_list(const rapidjson::Value& v, const std::string& field);

// Integer seconds given as a number or a numeric string; within [lo, hi].
int64_t parse_seconds(const rapidjson::Value& v, const std::string& field, int64_t lo, int64_t hi);

// Writes an exclusion back as JSON (canonical form; for state and status).
std::string exclusion_to_json(const Exclusion& e);

}  // namespace vigil::isolation
