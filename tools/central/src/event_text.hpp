#pragma once
// The words of an event that the SQLite word index holds: its string values, except those
// under keys that repeat the same boilerplate in every event. The batch reader gathers them
// while it streams a batch; event_index_text() derives the same text again from a stored
// event, which SQLite's contentless index needs to remove the event's words (retention).
#include <string>
#include <string_view>

namespace vigil::central {

// True for keys whose values (and everything nested in them) are not indexed.
bool skipped_for_index(std::string_view key);

// The index text of one stored event (compact JSON as stored); throws std::runtime_error
// when it is not JSON.
std::string event_index_text(std::string_view event_json);

}  // namespace vigil::central
