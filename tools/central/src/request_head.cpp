#include "request_head.hpp"

#include <algorithm>
#include <cctype>

#include <vigil/common/hex.hpp>

#include "ids.hpp"

namespace vigil::central {
namespace {

std::string decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            const int hi = i + 2 < s.size() ? common::hex_digit_value(s[i + 1]) : -1;
            const int lo = hi >= 0 ? common::hex_digit_value(s[i + 2]) : -1;
            if (lo < 0) throw ApiError(400, "bad %-escape in the request target");
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += plus_is_space && s[i] == '+' ? ' ' : s[i];
        }
    }
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::string media_type(const std::string& content_type) {
    std::string t = content_type.substr(0, content_type.find(';'));
    t.erase(std::remove_if(t.begin(), t.end(), [](unsigned char c) { return std::isspace(c); }), t.end());
    return lower(t);
}

// What an endpoint that takes a body wants in its head; nullptr type: not one of them.
struct BodyEndpoint {
    const char* content_type = nullptr;
    bool gzip = false;
    bool sha256 = false;
};

BodyEndpoint body_endpoint(const Request& r) {
    const std::string& p = r.path;
    auto is = [&](std::string_view prefix, std::string_view suffix) {
        return p.size() > prefix.size() + suffix.size() && p.compare(0, prefix.size(), prefix) == 0 &&
               p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (r.method == "POST") {
        if (p == "/api/v1/agent/telemetry") return {"application/json", true, false};
        if (p == "/api/v1/agent/sync" || p == "/api/v1/tasks" || p == "/api/v1/detections/triage")
            return {"application/json", false, false};
        if (is("/api/v1/agent/tasks/", "/result") || is("/api/v1/agents/", "/labels"))
            return {"application/json", false, false};
    }
    if (r.method == "PUT" && is("/api/v1/agent/tasks/", "/file"))
        return {"application/octet-stream", false, true};
    return {};
}

}  // namespace

Request make_request(const RequestHead& head, std::optional<uint64_t> content_length) {
    Request r;
    r.method = std::string(head.method_string());
    const std::string_view target(head.target().data(), head.target().size());
    if (target.empty() || target.front() != '/')
        throw ApiError(400, "the request target must be an absolute path");
    const size_t q = target.find('?');
    r.path = decode(target.substr(0, q), false);
    if (q != std::string_view::npos) {
        std::string_view query = target.substr(q + 1);
        while (!query.empty()) {
            const size_t amp = query.find('&');
            std::string_view pair = query.substr(0, amp);
            const size_t eq = pair.find('=');
            if (!pair.empty())
                r.query[decode(pair.substr(0, eq), true)] =
                    eq == std::string_view::npos ? std::string() : decode(pair.substr(eq + 1), true);
            query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        }
    }
    for (const auto& field : head)
        r.headers[lower({field.name_string().data(), field.name_string().size()})] =
            std::string(field.value().data(), field.value().size());
    r.content_length = content_length;
    return r;
}

std::optional<ApiError> check_head(const Request& r, bool has_body, const Api& api) {
    const BodyPolicy policy = api.body_policy(r.method, r.path);
    if (r.content_length && *r.content_length > policy.max_bytes)
        return ApiError(413, "body exceeds the limit of " + std::to_string(policy.max_bytes) + " bytes");
    if (!has_body) return std::nullopt;
    const BodyEndpoint ep = body_endpoint(r);
    if (!ep.content_type) return std::nullopt;
    const std::string got = media_type(r.header("content-type"));
    if (got != ep.content_type)
        return ApiError(415, std::string("Content-Type must be ") + ep.content_type +
                                 (got.empty() ? "" : ", got " + got));
    const std::string encoding = lower(r.header("content-encoding"));
    if (ep.gzip && encoding != "gzip")
        return ApiError(415, "telemetry must be sent with Content-Encoding: gzip");
    if (!ep.gzip && !encoding.empty() && encoding != "identity")
        return ApiError(415, "Content-Encoding " + encoding + " is not accepted here");
    if (ep.sha256 && !valid_sha256_hex(r.header("x-vigil-sha256")))
        return ApiError(400, "missing or invalid X-Vigil-Sha256 header (64 hex digits)");
    return std::nullopt;
}

}  // namespace vigil::central
