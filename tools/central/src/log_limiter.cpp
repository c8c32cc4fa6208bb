#include "log_limiter.hpp"

#include <cstdio>
#include <iostream>

namespace vigil::central {
namespace {
std::mutex g_log_mutex;
}

std::string printable(std::string_view text, size_t max_bytes) {
    std::string out;
    out.reserve(std::min(text.size(), max_bytes) + 8);
    for (size_t i = 0; i < text.size(); ++i) {
        if (out.size() >= max_bytes) {
            out += "...";
            break;
        }
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += static_cast<char>(c);
        } else {
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\x%02x", c);
            out += esc;
        }
    }
    return out;
}

void log_line(const std::string& line) {
    std::lock_guard lock(g_log_mutex);
    std::cerr << "vigil-central: " << line << std::endl;
}

void LogLimiter::log(const std::string& line) {
    const auto now = std::chrono::steady_clock::now();
    long left_out = 0;
    bool show = false;
    {
        std::lock_guard lock(mutex_);
        if (now - start_ > window_) {
            left_out = suppressed_;
            start_ = now;
            shown_ = 0;
            suppressed_ = 0;
        }
        show = shown_ < burst_;
        show ? ++shown_ : ++suppressed_;
    }
    if (left_out > 0) log_line("(" + std::to_string(left_out) + " similar lines not shown)");
    if (show) log_line(line);
}

}  // namespace vigil::central
