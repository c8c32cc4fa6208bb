#pragma once
// From an HTTP request head to the API's Request, and the checks the server makes on the
// head alone, before it reads a single body byte: the body's declared size against the
// endpoint's limit, and the content type and encoding the endpoint accepts. Identity
// (who is asking) is checked next, by the admission step; the endpoints repeat all of this
// when they run, so these checks only ever refuse earlier, never differently.
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <optional>

#include "api.hpp"
#include "api_error.hpp"

namespace vigil::central {

using RequestHead = boost::beast::http::request_header<boost::beast::http::fields>;

// Method, percent-decoded path and query parameters ('+' is a space in the query; the last
// of repeated names wins), header names in lower case. Throws ApiError(400) for a target
// that is not an absolute path or has a bad %-escape.
Request make_request(const RequestHead& head, std::optional<uint64_t> content_length);

// The refusal for a request whose head alone shows it cannot be accepted, or nothing.
// `has_body`: the head announces a body (a non-zero Content-Length, or chunked).
std::optional<ApiError> check_head(const Request& request, bool has_body, const Api& api);

}  // namespace vigil::central
