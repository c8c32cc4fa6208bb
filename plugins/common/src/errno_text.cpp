#include "vigil/common/errno_text.hpp"

#include <cstring>

namespace vigil::common {

std::string errno_text(int err) {
    char buf[256];
    // The GNU strerror_r returns the text (maybe a static string, maybe buf).
    const char* text = ::strerror_r(err, buf, sizeof buf);
    return text ? std::string(text) : "error " + std::to_string(err);
}

}  // namespace vigil::common
