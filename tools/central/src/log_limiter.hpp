#pragma once
// The server's log lines: one writer, printable text only, and a rate limit for what
// clients can trigger (refused connections, 4xx answers), so a scanner or flood can neither
// fill the log nor put terminal escapes into it.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

namespace vigil::central {

// `text` with bytes outside printable ASCII written as \xNN, cut after `max_bytes` ("…").
std::string printable(std::string_view text, size_t max_bytes = 256);

// Writes "vigil-central: <line>" to stderr (thread-safe).
void log_line(const std::string& line);

// At most `burst` lines per `window`; then one summary line with the count left out.
class LogLimiter {
public:
    LogLimiter(int burst, std::chrono::seconds window) : burst_(burst), window_(window) {}
    void log(const std::string& line);

private:
    std::mutex mutex_;
    const int burst_;
    const std::chrono::seconds window_;
    std::chrono::steady_clock::time_point start_{};
    int shown_ = 0;
    long suppressed_ = 0;
};

}  // namespace vigil::central
