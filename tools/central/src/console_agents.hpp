#pragma once
// GET /api/v1/agents with the console's server-side paging and filters. Without any of the
// parameters below the reply is every agent, as before (the CLI relies on it).
//   id=<agent id>   exactly this agent
//   q=<text>        case-insensitive substring of agent id, hostname, OS, kernel, version, IPs
//   state=online|stale|offline   last seen < 5 min / < 1 h / longer
//   isolated=true|false          from the isolation plugin's state in the last sync
//   tag=<tag>                    carries this tag (operators' labels, console_labels.cpp)
//   offset=N, limit=1..1000      the page (default limit 100 when paging)
//   format=csv                   the whole filtered list as CSV (an attachment)
// The reply carries "total" (matches before paging) and "offset".
#include <cstdint>
#include <vector>

#include "api.hpp"
#include "json.hpp"

namespace vigil::central {

// Filtering, order and paging are the database's (Storage::query_agents).
Response agents_page(const Request& r, Storage& storage, int64_t now_ns);

// An agent tag in its stored form (lower case), or "" when it is not 1-64 characters of
// A-Z a-z 0-9 _ . : -.
std::string normalized_tag(std::string_view tag);

// The labels as members of the object being written: "tags", "note", "labels_updated_ns",
// "labels_updated_by".
void write_label_members(json::Writer& w, const AgentLabels& labels);

// A CSV cell: quoted when needed, and a leading = + - @ (a formula in a spreadsheet) made text.
std::string csv_cell(std::string_view value);

}  // namespace vigil::central
