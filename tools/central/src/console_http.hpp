#pragma once
// The web console's HTTP rules, kept apart from the handlers so they can be unit-tested and
// fuzzed: the session cookie (name, attributes, parsing of a Cookie header), the headers every
// console answer carries (CSP, framing, referrer, sniffing, caching), the content type of a
// console file, which file paths may be served, and the cross-site checks of a state-changing
// request made with the session cookie (CSRF header and Origin).
#include <optional>
#include <string>
#include <string_view>

namespace vigil::central {

struct Request;
struct Response;

// `__Host-`: the browser keeps it only when Secure, Path=/ and no Domain, so no sibling host
// and no plain-HTTP page can set or overwrite it.
inline constexpr std::string_view kSessionCookie = "__Host-vigil_session";
inline constexpr std::string_view kCsrfHeader = "x-vigil-csrf";

// The value of cookie `name` in a Cookie request header ("a=1; b=2"), or nullopt. Malformed
// pairs are skipped; a cookie named twice counts as absent (which one the browser meant
// cannot be known, and a planted duplicate must not win).
std::optional<std::string> cookie_value(std::string_view header, std::string_view name);

// Set-Cookie values: the session (max_age_s seconds) and its removal.
std::string session_cookie(std::string_view id, int64_t max_age_s);
std::string cleared_session_cookie();

// Content-Security-Policy and the other headers of every console answer (files and JSON).
void add_console_headers(Response& response);

// The media type of a console file by its extension ("" when it is not one we serve).
std::string_view ui_content_type(std::string_view path);

// A path below /ui/ that may be served: segments of [A-Za-z0-9_.-], none empty or starting
// with '.', at most 8 segments and 200 characters. Everything else is 404 without a look at
// the disk.
bool valid_ui_path(std::string_view relative);

// Checks of a request authenticated by the session cookie. Reading methods (GET, HEAD) pass.
// Others need the session's CSRF token in X-Vigil-CSRF (constant-time compare), an Origin
// equal to `expected_origin` (or, when that is empty, to https://<Host>), and when they carry
// a body, Content-Type application/json (a form or text/plain post from another site is a
// "simple" request the browser sends without asking). Returns the reason for refusal.
std::optional<std::string> csrf_refusal(const Request& r, std::string_view csrf_token,
                                        std::string_view expected_origin);
// Only the Origin part of the checks above (login has no session and no token yet).
std::optional<std::string> origin_refusal(const Request& r, std::string_view expected_origin);

}  // namespace vigil::central
