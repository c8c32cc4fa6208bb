#pragma once
// An error that maps to an HTTP status and a `{"error": reason}` body. Thrown by request
// validation and handlers; the HTTP glue turns it into the reply so bad input never kills
// the server.
#include <map>
#include <stdexcept>
#include <string>

namespace vigil::central {

class ApiError : public std::runtime_error {
public:
    ApiError(int status, const std::string& reason) : std::runtime_error(reason), status_(status) {}
    ApiError(int status, const std::string& reason, std::map<std::string, std::string> headers)
        : std::runtime_error(reason), status_(status), headers_(std::move(headers)) {}
    int status() const { return status_; }
    const std::map<std::string, std::string>& headers() const { return headers_; }  // e.g. Retry-After

private:
    int status_;
    std::map<std::string, std::string> headers_;
};

}  // namespace vigil::central
