// What an HTTP client gets for a blocked request: a 403 response with a
// self-contained HTML page (no script, no external resource; every value
// from the request or the lists is HTML-escaped).
#pragma once

#include <string>
#include <string_view>

namespace vigil::web_threat {

struct BlockInfo {
    std::string url;       // what was requested
    std::string category;  // malicious, phishing, adware, other
    std::string list;      // the list that named it
    std::string entry;     // the matching entry
    std::string event_id;  // to quote to an administrator
};

// &, <, >, " and ' as character references; control bytes dropped.
std::string html_escape(std::string_view text);

// The HTML document (contains the marker id="vigil-block-page").
std::string block_page_html(const BlockInfo& info);

// The full HTTP/1.1 403 response (Content-Length, no-store, Connection: close).
std::string block_page_response(const BlockInfo& info);

}  // namespace vigil::web_threat
