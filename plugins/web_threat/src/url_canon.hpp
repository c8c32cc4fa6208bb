// URL canonicalisation and lookup expressions as in the Safe Browsing
// specification (developers.google.com/safe-browsing/v4/urls-hashing):
// list entries and requested URLs are both reduced to the same canonical
// form, then a URL is looked up as at most 5 host suffixes x 6 path
// prefixes = 30 "host/path" expressions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::web_threat {

struct CanonicalUrl {
    std::string scheme;  // lower case; "http" when the text had none
    std::string host;    // canonical_host(), percent-escaped
    std::string path;    // starts with '/', dot segments resolved, escaped
    std::string query;   // without the '?', escaped
    bool has_query = false;

    // "scheme://host/path?query"
    std::string text() const;
    // "host/path?query": the expression a list entry is stored as.
    std::string expression() const;
};

// nullopt (with `why`) when the text has no host.
std::optional<CanonicalUrl> canonicalize_url(std::string_view url, std::string* why = nullptr);

// The URL from an HTTP request: the request target (origin form "/p?q" or
// absolute form "http://h/p") and the Host header.
std::optional<CanonicalUrl> url_of_request(std::string_view scheme, std::string_view host,
                                           std::string_view target);

// The lookup expressions of a URL, most specific first, without repeats.
std::vector<std::string> url_expressions(const CanonicalUrl& url);

}  // namespace vigil::web_threat
