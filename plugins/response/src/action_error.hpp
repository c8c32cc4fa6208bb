// An action that was refused or failed; the message is the reply's error.
#pragma once

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace vigil::response {

class ActionError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

inline std::string errno_text(int e) { return std::strerror(e); }

}  // namespace vigil::response
