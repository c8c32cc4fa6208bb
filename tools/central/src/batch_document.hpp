#pragma once
// Parses a telemetry batch into a RapidJSON document and remembers where each element of
// the root's "events" array lies in the source text. The central node stores every event's
// JSON as received; when the agent already sent it in compact canonical form (the usual
// case) that text is kept as it is instead of being serialized a second time, which was
// about a tenth of the server's ingest CPU.
#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::central {

struct BatchDocument {
    rapidjson::Document doc;
    // One entry per element of the first root-level "events" array, in order: the element's
    // source text when it is an object, empty otherwise.
    std::vector<std::string_view> event_sources;
};

// Parses `text` (which must outlive the result); returns the error (with offset) on failure.
std::optional<std::string> parse_batch_document(BatchDocument& out, std::string_view text);

// True when `json` is exactly what RapidJSON's compact Writer would produce for the value it
// holds, as far as storage and text search care: no whitespace outside strings and only the
// escapes the Writer itself uses (\" \\ \b \f \n \r \t \u00XX). Such text can be stored
// verbatim; anything else (pretty-printed, \/ or \uXXXX escapes) is re-serialized.
bool is_compact_canonical(std::string_view json);

}  // namespace vigil::central
