// HTTP/1.x requests as a client sends them on an intercepted connection:
// the head of each request (request line, Host) is parsed before any byte
// goes upstream, the body is framed (Content-Length or chunked) so that
// the next request on a keep-alive connection is found and judged too.
// Ambiguous framing (Content-Length with Transfer-Encoding, two different
// lengths, two Host headers, folded headers) is refused: a proxy and an
// origin that disagree on where a request ends is how requests are smuggled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::web_threat {

struct HttpRequest {
    std::string method;
    std::string target;   // as sent: origin form "/p?q", absolute form, or "host:port" for CONNECT
    std::string host;     // the Host header without its port ("" when absent)
    int minor_version = 1;
    bool connect = false;  // CONNECT: the rest of the connection is a tunnel
    bool upgrade = false;  // Upgrade header (WebSocket): the rest is a tunnel once accepted
    bool chunked = false;
    uint64_t content_length = 0;

    // The host the request is for: CONNECT's or an absolute target's host, else Host.
    std::string target_host() const;
};

class HttpRequestReader {
public:
    static constexpr size_t kMaxHead = 16384;

    enum class Kind : uint8_t {
        need_more,  // the buffer does not hold the next step yet
        head,       // a request head of `length` bytes; request() describes it
        body,       // `length` bytes of the current request's body (framing included)
        tunnel,     // after CONNECT / Upgrade: everything from here on is opaque
        error,      // malformed or too large (why())
    };
    struct Step {
        Kind kind = Kind::need_more;
        size_t length = 0;
    };

    // The next step for the bytes at the start of `buffered` (those not yet
    // consumed by the caller); the caller consumes `length` bytes of a head
    // or body step before calling again.
    Step next(std::string_view buffered);
    const HttpRequest& request() const { return request_; }
    const std::string& why() const { return why_; }

private:
    Step error(std::string why);
    Step head(std::string_view buffered);
    Step chunked_body(std::string_view buffered);

    enum class State : uint8_t { head, length_body, chunk_size, chunk_data, chunk_crlf, trailers, tunnel, failed };
    State state_ = State::head;
    HttpRequest request_;
    uint64_t remaining_ = 0;  // of a Content-Length body or of the current chunk
    std::string why_;
};

// Parses one complete request head (request line + headers, without the
// final empty line); false with `why`.
bool parse_request_head(std::string_view head, HttpRequest& out, std::string& why);

}  // namespace vigil::web_threat
