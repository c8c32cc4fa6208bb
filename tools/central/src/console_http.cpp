#include "console_http.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "api.hpp"

namespace vigil::central {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

}  // namespace

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
    std::optional<std::string> found;
    bool duplicate = false;
    while (!header.empty()) {
        const size_t semi = header.find(';');
        std::string_view pair = trim(header.substr(0, semi));
        header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
        const size_t eq = pair.find('=');
        if (eq == std::string_view::npos || trim(pair.substr(0, eq)) != name) continue;
        std::string_view value = trim(pair.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        if (found) duplicate = true;
        found = std::string(value);
    }
    if (duplicate) return std::nullopt;
    return found;
}

std::string session_cookie(std::string_view id, int64_t max_age_s) {
    return std::string(kSessionCookie) + "=" + std::string(id) + "; Path=/; Max-Age=" + std::to_string(max_age_s) +
           "; Secure; HttpOnly; SameSite=Strict";
}

std::string cleared_session_cookie() { return session_cookie("", 0); }

void add_console_headers(Response& response) {
    // No inline script or style anywhere: the console is files from 'self' only.
    response.headers["Content-Security-Policy"] =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    response.headers["X-Frame-Options"] = "DENY";
    response.headers["Referrer-Policy"] = "no-referrer";
    response.headers["X-Content-Type-Options"] = "nosniff";
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin";
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin";
    response.headers["Strict-Transport-Security"] = "max-age=31536000";
    response.headers["Cache-Control"] = "no-store";
}

std::string_view ui_content_type(std::string_view path) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kTypes{{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
    }};
    for (const auto& [ext, type] : kTypes)
        if (ends_with(path, ext)) return type;
    return {};
}

bool valid_ui_path(std::string_view relative) {
    if (relative.empty() || relative.size() > 200) return false;
    int segments = 0;
    while (!relative.empty()) {
        const size_t slash = relative.find('/');
        std::string_view seg = relative.substr(0, slash);
        if (seg.empty() || seg.front() == '.' || ++segments > 8) return false;
        for (unsigned char c : seg)
            if (!std::isalnum(c) && c != '_' && c != '-' && c != '.') return false;
        if (slash == std::string_view::npos) break;
        relative.remove_prefix(slash + 1);
        if (relative.empty()) return false;  // trailing slash
    }
    return true;
}

std::optional<std::string> origin_refusal(const Request& r, std::string_view expected_origin) {
    const std::string origin = r.header("origin");
    if (origin.empty()) return "missing Origin header (the console sends it; other sites cannot forge it)";
    const std::string expected =
        expected_origin.empty() ? "https://" + lower_ascii(r.header("host")) : lower_ascii(expected_origin);
    if (r.header("host").empty() && expected_origin.empty()) return "missing Host header";
    if (lower_ascii(origin) != expected) return "Origin " + origin + " is not this console (" + expected + ")";
    return std::nullopt;
}

std::optional<std::string> csrf_refusal(const Request& r, std::string_view csrf_token,
                                        std::string_view expected_origin) {
    if (r.method == "GET" || r.method == "HEAD") return std::nullopt;
    const std::string presented = r.header(std::string(kCsrfHeader));
    if (presented.empty()) return "missing X-Vigil-CSRF header";
    if (presented.size() != csrf_token.size() ||
        CRYPTO_memcmp(presented.data(), csrf_token.data(), csrf_token.size()) != 0)
        return "X-Vigil-CSRF does not match the session";
    if (auto refused = origin_refusal(r, expected_origin)) return refused;
    const bool has_body = r.content_length.value_or(0) > 0 || !r.header("transfer-encoding").empty();
    if (has_body) {
        std::string type = lower_ascii(r.header("content-type"));
        type = std::string(trim(type.substr(0, type.find(';'))));
        if (type != "application/json") return "a console request body must be application/json";
    }
    return std::nullopt;
}

}  // namespace vigil::central
