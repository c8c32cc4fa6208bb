#include "http_request.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "url_canon.hpp"

namespace vigil::web_threat {

namespace {

constexpr size_t kMaxHeaders = 128, kMaxChunkLine = 1024;

bool tchar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
}

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// "host:port", "[v6]:port" or "host" -> host.
std::string_view strip_port(std::string_view hp) {
    if (!hp.empty() && hp.front() == '[') {
        const size_t close = hp.find(']');
        return close == std::string_view::npos ? hp : hp.substr(0, close + 1);
    }
    const size_t colon = hp.rfind(':');
    return colon == std::string_view::npos ? hp : hp.substr(0, colon);
}

std::vector<std::string_view> lines_of(std::string_view head) {
    std::vector<std::string_view> out;
    while (!head.empty()) {
        const size_t nl = head.find('\n');
        std::string_view line = head.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        out.push_back(line);
        if (nl == std::string_view::npos) break;
        head.remove_prefix(nl + 1);
    }
    return out;
}

bool parse_request_line(std::string_view line, HttpRequest& out, std::string& why) {
    const size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
    if (sp1 == std::string_view::npos || sp1 == sp2) return why = "bad request line", false;
    const std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1),
                           version = line.substr(sp2 + 1);
    if (method.empty() || method.size() > 32) return why = "bad method", false;
    for (char c : method)
        if (!tchar(c)) return why = "bad method", false;
    if (target.empty() || target.size() > 8192) return why = "bad request target", false;
    for (char c : target)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return why = "bad request target", false;
    if (version != "HTTP/1.1" && version != "HTTP/1.0") return why = "not HTTP/1.0 or HTTP/1.1", false;
    out.method.assign(method);
    out.target.assign(target);
    out.minor_version = version.back() - '0';
    out.connect = method == "CONNECT";
    return true;
}

bool parse_length(std::string_view v, uint64_t& out) {
    if (v.empty() || v.size() > 18) return false;
    uint64_t n = 0;
    for (char c : v) {
        if (c < '0' || c > '9') return false;
        n = n * 10 + uint64_t(c - '0');
    }
    out = n;
    return true;
}

// One header field; the framing and Host rules of the file comment.
bool apply_header(std::string_view name, std::string_view value, HttpRequest& out, bool& have_host, bool& have_length,
                  std::string& why) {
    if (iequals(name, "host")) {
        if (have_host) return why = "two Host headers", false;
        have_host = true;
        out.host.assign(strip_port(value));
    } else if (iequals(name, "content-length")) {
        uint64_t n = 0;
        if (!parse_length(value, n)) return why = "bad Content-Length", false;
        if (have_length && n != out.content_length) return why = "two different Content-Length values", false;
        have_length = true;
        out.content_length = n;
    } else if (iequals(name, "transfer-encoding")) {
        const size_t comma = value.rfind(',');
        const std::string_view last = trim_ows(comma == std::string_view::npos ? value : value.substr(comma + 1));
        if (!iequals(last, "chunked")) return why = "a request Transfer-Encoding that does not end in chunked", false;
        out.chunked = true;
    } else if (iequals(name, "upgrade")) {
        out.upgrade = true;
    }
    return true;
}

}  // namespace

std::string HttpRequest::target_host() const {
    if (connect) return std::string(strip_port(target));
    if (target.find("://") != std::string::npos)
        if (auto u = canonicalize_url(target)) return u->host;
    return host;
}

bool parse_request_head(std::string_view head, HttpRequest& out, std::string& why) {
    out = HttpRequest{};
    const auto lines = lines_of(head);
    if (lines.empty() || !parse_request_line(lines[0], out, why)) return why.empty() ? (why = "empty head", false) : false;
    if (lines.size() > kMaxHeaders + 1) return why = "too many header fields", false;
    bool have_host = false, have_length = false;
    for (size_t i = 1; i < lines.size(); ++i) {
        const std::string_view line = lines[i];
        if (line.empty()) continue;
        if (line[0] == ' ' || line[0] == '\t') return why = "folded header line", false;
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) return why = "header line without a name", false;
        const std::string_view name = line.substr(0, colon), value = trim_ows(line.substr(colon + 1));
        for (char c : name)
            if (!tchar(c)) return why = "bad header name", false;
        for (char c : value)
            if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) return why = "control byte in a header", false;
        if (!apply_header(name, value, out, have_host, have_length, why)) return false;
    }
    if (out.chunked && have_length) return why = "both Content-Length and Transfer-Encoding", false;
    if (out.minor_version == 1 && !have_host) return why = "HTTP/1.1 request without Host", false;
    return true;
}

HttpRequestReader::Step HttpRequestReader::error(std::string why) {
    why_ = std::move(why);
    state_ = State::failed;
    return {Kind::error, 0};
}

HttpRequestReader::Step HttpRequestReader::head(std::string_view buffered) {
    // Empty lines before a request line are allowed (RFC 9112 2.2).
    size_t skip = 0;
    while (skip < buffered.size() && (buffered[skip] == '\r' || buffered[skip] == '\n') && skip < 4) ++skip;
    // The head ends at the first empty line (CRLF CRLF, or bare LF LF).
    const size_t crlf = buffered.find("\r\n\r\n", skip), lf = buffered.find("\n\n", skip);
    size_t end = crlf, term = 4;
    if (lf != std::string_view::npos && (crlf == std::string_view::npos || lf + 2 < crlf + 4)) end = lf, term = 2;
    if (end == std::string_view::npos) {
        if (buffered.size() > kMaxHead) return error("request head larger than 16 KiB");
        return {Kind::need_more, 0};
    }
    if (end + term > kMaxHead) return error("request head larger than 16 KiB");
    std::string why;
    if (!parse_request_head(buffered.substr(skip, end - skip), request_, why)) return error(why);
    if (request_.connect || request_.upgrade)
        state_ = State::tunnel;
    else if (request_.chunked)
        state_ = State::chunk_size;
    else if (request_.content_length > 0)
        state_ = State::length_body, remaining_ = request_.content_length;
    return {Kind::head, end + term};
}

HttpRequestReader::Step HttpRequestReader::chunked_body(std::string_view buffered) {
    if (buffered.empty()) return {Kind::need_more, 0};
    if (state_ == State::chunk_data) {
        const size_t n = size_t(std::min<uint64_t>(remaining_, buffered.size()));
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::chunk_crlf;
        return {Kind::body, n};
    }
    const size_t nl = buffered.find('\n');
    if (nl == std::string_view::npos) {
        if (buffered.size() > (state_ == State::trailers ? kMaxHead : kMaxChunkLine)) return error("chunk line too long");
        return {Kind::need_more, 0};
    }
    std::string_view line = buffered.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (state_ == State::chunk_crlf) {
        if (!line.empty()) return error("chunk data longer than its size");
        state_ = State::chunk_size;
    } else if (state_ == State::trailers) {
        if (line.empty()) state_ = State::head;
    } else {
        const std::string_view size = trim_ows(line.substr(0, line.find(';')));
        if (size.empty() || size.size() > 15) return error("bad chunk size");
        uint64_t n = 0;
        for (char c : size) {
            if (!std::isxdigit(static_cast<unsigned char>(c))) return error("bad chunk size");
            n = n * 16 + uint64_t(std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10);
        }
        remaining_ = n;
        state_ = n == 0 ? State::trailers : State::chunk_data;
    }
    return {Kind::body, nl + 1};
}

HttpRequestReader::Step HttpRequestReader::next(std::string_view buffered) {
    switch (state_) {
        case State::head: return buffered.empty() ? Step{Kind::need_more, 0} : head(buffered);
        case State::length_body: {
            if (buffered.empty()) return {Kind::need_more, 0};
            const size_t n = size_t(std::min<uint64_t>(remaining_, buffered.size()));
            remaining_ -= n;
            if (remaining_ == 0) state_ = State::head;
            return {Kind::body, n};
        }
        case State::tunnel: return {Kind::tunnel, 0};
        case State::failed: return {Kind::error, 0};
        default: return chunked_body(buffered);
    }
}

}  // namespace vigil::web_threat
