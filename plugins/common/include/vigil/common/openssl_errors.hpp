// OpenSSL reports failures in a per-thread error queue; error messages should
// carry its text. Header-only (callers link OpenSSL themselves).
#pragma once

#include <openssl/err.h>

#include <string>

namespace vigil::common {

// The queued OpenSSL errors as one line ("; " between them), emptying the queue;
// `if_none` when the queue was empty.
inline std::string openssl_errors(const char* if_none = "unknown OpenSSL error") {
    std::string out;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
    }
    return out.empty() ? std::string(if_none) : out;
}

}  // namespace vigil::common
