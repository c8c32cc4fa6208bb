#include "url_canon.hpp"

#include <cctype>
#include <vigil/common/hex.hpp>

#include "host_name.hpp"

namespace vigil::web_threat {

namespace {

// One pass of percent-unescaping; invalid escapes stay as they are.
std::string unescape_once(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            if (auto byte = common::from_hex(s.substr(i + 1, 2))) {
                out += *byte;
                i += 2;
                continue;
            }
        }
        out.push_back(s[i]);
    }
    return out;
}

// Unescapes until nothing changes; each pass that changes something makes
// the text shorter, so this ends.
std::string unescape_fully(std::string s) {
    for (;;) {
        std::string next = unescape_once(s);
        if (next.size() == s.size()) return s;
        s = std::move(next);
    }
}

std::string escape(std::string_view s) {
    static const char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f || c == '#' || c == '%') {
            out.push_back('%');
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 15]);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

// "/a//b/./c/../d/" -> "/a/b/d/"
std::string canonical_path(std::string_view path) {
    std::vector<std::string_view> parts;
    bool trailing_slash = true;
    while (!path.empty()) {
        const size_t slash = path.find('/');
        const std::string_view seg = path.substr(0, slash);
        trailing_slash = slash != std::string_view::npos || seg.empty() || seg == "." || seg == "..";
        if (seg == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!seg.empty() && seg != ".") {
            parts.push_back(seg);
        }
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    std::string out;
    for (auto p : parts) {
        out.push_back('/');
        out.append(p);
    }
    if (out.empty() || trailing_slash) out.push_back('/');
    return out;
}

std::string_view trim_space(std::string_view s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

// RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ); anything else is
// not a scheme (the text is then taken as a host and path).
bool valid_scheme(std::string_view s) {
    if (s.empty() || s.size() > 32 || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return false;
    return true;
}

// The host part of an authority: no user info, no port.
std::string_view host_of_authority(std::string_view a) {
    if (const size_t at = a.rfind('@'); at != std::string_view::npos) a.remove_prefix(at + 1);
    if (!a.empty() && a.front() == '[') {
        const size_t close = a.find(']');
        return close == std::string_view::npos ? a : a.substr(0, close + 1);
    }
    const size_t colon = a.rfind(':');
    if (colon != std::string_view::npos) a = a.substr(0, colon);
    return a;
}

}  // namespace

std::string CanonicalUrl::text() const { return scheme + "://" + expression(); }

std::string CanonicalUrl::expression() const { return has_query ? host + path + "?" + query : host + path; }

std::optional<CanonicalUrl> canonicalize_url(std::string_view url, std::string* why) {
    std::string s;
    for (char c : trim_space(url))
        if (c != '\t' && c != '\r' && c != '\n') s.push_back(c);
    if (const size_t hash = s.find('#'); hash != std::string::npos) s.resize(hash);
    s = unescape_fully(std::move(s));
    CanonicalUrl u;
    std::string_view rest = s;
    const size_t sep = rest.find("://");
    if (sep != std::string_view::npos && rest.find('/') == sep + 1 && valid_scheme(rest.substr(0, sep))) {
        for (char c : rest.substr(0, sep)) u.scheme.push_back(c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c);
        rest.remove_prefix(sep + 3);
    } else {
        u.scheme = "http";
    }
    const size_t end = rest.find_first_of("/?");
    const std::string_view host = host_of_authority(rest.substr(0, end));
    const bool literal6 = !host.empty() && host.front() == '[' && host.back() == ']';
    if (!literal6 && host.find_first_of(":[]") != std::string_view::npos) {
        if (why) *why = "the host '" + std::string(host) + "' is neither a name nor an address";
        return std::nullopt;
    }
    u.host = escape(canonical_host(host));
    if (u.host.empty()) {
        if (why) *why = "no host in the URL";
        return std::nullopt;
    }
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    const size_t q = rest.find('?');
    u.path = escape(canonical_path(rest.substr(0, q)));
    if (q != std::string_view::npos) {
        u.has_query = true;
        u.query = escape(rest.substr(q + 1));
    }
    return u;
}

std::optional<CanonicalUrl> url_of_request(std::string_view scheme, std::string_view host,
                                           std::string_view target) {
    if (target.find("://") != std::string_view::npos) return canonicalize_url(target);
    std::string text(scheme);
    text += "://";
    text += host;
    if (target.empty() || target.front() != '/') text.push_back('/');
    text += target;
    return canonicalize_url(text);
}

std::vector<std::string> url_expressions(const CanonicalUrl& url) {
    std::vector<std::string> hosts{url.host};
    if (!ipv4_of_host(url.host) && url.host.front() != '[') {
        std::vector<size_t> dots;
        for (size_t i = 0; i < url.host.size(); ++i)
            if (url.host[i] == '.') dots.push_back(i);
        // The last five components and shorter, down to two (never the TLD alone).
        const size_t n = dots.size() + 1;
        for (size_t i = n > 5 ? n - 5 : 1; i + 1 < n; ++i) hosts.push_back(url.host.substr(dots[i - 1] + 1));
    }
    std::vector<std::string> paths;
    if (url.has_query) paths.push_back(url.path + "?" + url.query);
    paths.push_back(url.path);
    std::string prefix = "/";
    for (size_t pos = 0, n = 0; n < 4; ++n) {
        if (prefix != url.path) paths.push_back(prefix);
        const size_t next = url.path.find('/', pos + 1);
        if (next == std::string::npos) break;
        prefix = url.path.substr(0, next + 1);
        pos = next;
    }
    std::vector<std::string> out;
    for (const auto& h : hosts)
        for (const auto& p : paths) {
            std::string e = h + p;
            bool seen = false;
            for (const auto& o : out) seen = seen || o == e;
            if (!seen) out.push_back(std::move(e));
        }
    return out;
}

}  // namespace vigil::web_threat
