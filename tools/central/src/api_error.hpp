#pragma once
// An error that maps to an HTTP status and a `{"error": reason}` body. Thrown by request
// validation and handlers; the HTTP glue turns it into the reply so bad input never kills
// the server.
#include <stdexcept>
#include <string>

namespace vigil::central {

class ApiError : public std::runtime_error {
public:
    ApiError(int status, const std::string& reason) : std::runtime_error(reason), status_(status) {}
    int status() const { return status_; }

private:
    int status_;
};

}  // namespace vigil::central
