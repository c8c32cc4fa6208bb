#include "log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace vigil::core {
namespace {
std::atomic<int> g_level{int(LogLevel::info)};
std::mutex g_mu;
}  // namespace

void set_log_level(LogLevel level) { g_level = int(level); }
LogLevel log_level() { return LogLevel(g_level.load()); }

bool parse_log_level(std::string_view t, LogLevel& out) {
    if (t == "trace") out = LogLevel::trace;
    else if (t == "debug") out = LogLevel::debug;
    else if (t == "info") out = LogLevel::info;
    else if (t == "warn" || t == "warning") out = LogLevel::warn;
    else if (t == "error") out = LogLevel::error;
    else return false;
    return true;
}

const char* log_level_name(LogLevel l) {
    switch (l) {
    case LogLevel::trace: return "trace";
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
    }
    return "info";
}

void log(LogLevel level, std::string_view component, std::string_view message) {
    if (int(level) < g_level.load(std::memory_order_relaxed)) return;
    auto now = std::chrono::system_clock::now();
    auto t = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char ts[32];
    std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    static const char* names[] = {"TRACE", "DEBUG", "INFO ", "WARN ", "ERROR"};
    std::lock_guard<std::mutex> g(g_mu);
    std::fprintf(stderr, "%s.%03dZ %s [%.*s] %.*s\n", ts, int(ms), names[int(level)], int(component.size()),
                 component.data(), int(message.size()), message.data());
    std::fflush(stderr);
}

}  // namespace vigil::core
