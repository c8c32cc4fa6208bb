// Rate limit for the daemon log: a repeated message (same component, level
// and text with its numbers blanked) is written at most `burst` times per
// window, and one component at most `component_burst` lines per window. What
// was held back is reported once per window as a count, so a flood (a plugin
// logging per event, a peer retrying every millisecond) cannot drown the
// journal (journald's own limit is 10000 lines / 30 s per service, after which
// it drops everything, including the important lines).
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::core {

class LogRateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    struct Limits {
        unsigned burst = 5;               // same message per window
        unsigned component_burst = 100;   // any message of one component per window
        std::chrono::seconds window{10};
        size_t max_keys = 1024;           // distinct messages tracked at once
    };

    // What one window held back for one key.
    struct Suppressed {
        int level = 0;
        std::string component;
        std::string last;  // the last message held back
        uint64_t count = 0;
        bool whole_component = false;  // the component's budget, not one message
    };

    LogRateLimiter();
    explicit LogRateLimiter(Limits limits);

    // True when the line may be written now; false when it is held back (counted).
    bool admit(int level, std::string_view component, std::string_view message, Clock::time_point now);
    // Windows that ended, with what they held back (windows without suppression vanish silently).
    std::vector<Suppressed> expire(Clock::time_point now);

    // "pid 1234 exited 2" -> "pid # exited #": the key for "the same message".
    static std::string normalize(std::string_view message);

private:
    struct Window {
        Clock::time_point start;
        unsigned written = 0;
        Suppressed held;
    };
    bool count(Window& w, int level, std::string_view message, unsigned limit);

    Limits limits_;
    std::map<std::string, Window, std::less<>> messages_;
    std::map<std::string, Window, std::less<>> components_;
};

}  // namespace vigil::core
