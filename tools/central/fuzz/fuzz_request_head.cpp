// libFuzzer target: the request-head path of the event-driven server — Beast's header
// parser, make_request (target and %-decoding, query, header names), the transport head
// checks and Api::admit (identity), and the printable() text that goes into log lines.
// Whatever the bytes, the outcome is a clear 4xx or an admitted request, never a crash, a
// 5xx or a control byte in the log.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstdint>
#include <cstdlib>
#include <limits>

#include "auth_tokens.hpp"
#include "fuzz_central.hpp"
#include "log_limiter.hpp"
#include "request_head.hpp"

using namespace vigil::central;
namespace http = boost::beast::http;

namespace {

fuzz::FuzzCentral& fixture() {
    static fuzz::FuzzCentral f("central_fuzz_head", [] {
        ApiSettings settings;
        settings.operators = {OperatorCredential{"fuzz", Role::admin, token_hash("fuzz-operator-token-0123456789")}};
        return settings;
    }(), false, false);
    return f;
}

void check_printable(const std::string& text) {
    for (unsigned char c : text)
        if (c < 0x20 || c >= 0x7f) std::abort();
}

bool client_error(int status) { return status >= 400 && status < 500; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto& f = fixture();
    http::request_parser<http::empty_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    boost::system::error_code ec;
    parser.put(boost::asio::buffer(data, size), ec);
    if (ec || !parser.is_header_done()) return 0;
    std::optional<uint64_t> length;
    if (auto l = parser.content_length()) length = *l;
    const bool has_body = parser.chunked() || length.value_or(0) > 0;
    Request r;
    try {
        r = make_request(parser.get(), length);
    } catch (const ApiError& e) {
        if (e.status() != 400) std::abort();
        return 0;
    }
    check_printable(printable(r.method) + printable(r.path) + printable(r.header("content-type")));
    if (auto refusal = check_head(r, has_body, *f.api)) {
        if (!client_error(refusal->status())) std::abort();
        return 0;
    }
    if (auto refused = f.api->admit(r)) {
        if (!client_error(refused->status) || refused->body.empty() || refused->body.front() != '{')
            std::abort();
        return 0;
    }
    if (!r.principal) std::abort();  // admitted means someone (or anonymous) was recognised
    return 0;
}
