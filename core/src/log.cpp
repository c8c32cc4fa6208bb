#include "log.hpp"

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

#include "log_limiter.hpp"

namespace vigil::core {
namespace {
std::atomic<int> g_level{int(LogLevel::info)};
std::atomic<int> g_format{int(LogFormat::text)};
std::atomic<bool> g_journald{false};
std::mutex g_mu;  // output, sink and limiter
std::function<void(std::string_view)> g_sink;
LogRateLimiter g_limiter;
LogRateLimiter::Clock::time_point g_last_expire{};

// syslog(3) priorities: err, warning, info, debug.
int syslog_priority(LogLevel l) {
    switch (l) {
    case LogLevel::error: return 3;
    case LogLevel::warn: return 4;
    case LogLevel::info: return 6;
    default: return 7;
    }
}

// Escapes control characters (and, for JSON, quotes and backslashes).
void append_escaped(std::string& out, std::string_view s, bool json) {
    static const char* hex = "0123456789abcdef";
    for (unsigned char c : s) {
        if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if (c == '\r') out += "\\r";
        else if (json && (c == '"' || c == '\\')) (out += '\\') += char(c);
        else if (c < 0x20 || c == 0x7f) {
            out += json ? "\\u00" : "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += char(c);
        }
    }
}

std::string utc_timestamp() {
    auto now = std::chrono::system_clock::now();
    auto t = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char ts[40];
    size_t n = std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(ts + n, sizeof ts - n, ".%03dZ", int(ms));
    return ts;
}

void write_line_locked(const std::string& line) {
    if (g_sink) {
        g_sink(line);
        return;
    }
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fputc('\n', stderr);
    std::fflush(stderr);
}

void write_record_locked(LogLevel level, std::string_view component, std::string_view message) {
    write_line_locked(format_log_line(level, component, message, g_journald.load(), LogFormat(g_format.load())));
}

void flush_suppressed_locked(LogRateLimiter::Clock::time_point now) {
    g_last_expire = now;
    for (auto& s : g_limiter.expire(now)) {
        std::string what = s.whole_component ? "messages from " + s.component : "repeats of this message";
        write_record_locked(LogLevel(s.level), s.component,
                            "suppressed " + std::to_string(s.count) + " " + what + " in the last 10 s; last: " + s.last);
    }
}
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

void set_log_format(LogFormat f) { g_format = int(f); }

bool parse_log_format(std::string_view t, LogFormat& out) {
    if (t == "text") out = LogFormat::text;
    else if (t == "json") out = LogFormat::json;
    else return false;
    return true;
}

bool stderr_is_journal() {
    const char* js = std::getenv("JOURNAL_STREAM");
    if (!js || !*js) return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(js, "%llu:%llu", &dev, &ino) != 2) return false;
    struct stat st {};
    if (::fstat(2, &st) != 0) return false;
    return uint64_t(st.st_dev) == dev && uint64_t(st.st_ino) == ino;
}

void log_init_from_environment() { g_journald = stderr_is_journal(); }
void set_log_journald(bool on) { g_journald = on; }

void set_log_sink(std::function<void(std::string_view)> sink) {
    std::lock_guard<std::mutex> g(g_mu);
    g_sink = std::move(sink);
}

std::string format_log_line(LogLevel level, std::string_view component, std::string_view message, bool journald,
                            LogFormat format) {
    std::string line;
    line.reserve(message.size() + component.size() + 48);
    if (journald) line += "<" + std::to_string(syslog_priority(level)) + ">";
    if (format == LogFormat::json) {
        line += "{\"ts\":\"" + utc_timestamp() + "\",\"level\":\"" + log_level_name(level) + "\",\"component\":\"";
        append_escaped(line, component, true);
        line += "\",\"msg\":\"";
        append_escaped(line, message, true);
        line += "\"}";
        return line;
    }
    static const char* names[] = {"TRACE", "DEBUG", "INFO ", "WARN ", "ERROR"};
    // journald stamps every line itself.
    if (!journald) line += utc_timestamp() + " ";
    line += names[int(level)];
    line += " [";
    append_escaped(line, component, false);
    line += "] ";
    append_escaped(line, message, false);
    return line;
}

void log(LogLevel level, std::string_view component, std::string_view message) {
    if (int(level) < g_level.load(std::memory_order_relaxed)) return;
    const auto now = LogRateLimiter::Clock::now();
    std::lock_guard<std::mutex> g(g_mu);
    if (now - g_last_expire >= std::chrono::seconds(1)) flush_suppressed_locked(now);
    if (!g_limiter.admit(int(level), component, message, now)) return;
    write_record_locked(level, component, message);
}

void log_flush_suppressed() {
    std::lock_guard<std::mutex> g(g_mu);
    flush_suppressed_locked(LogRateLimiter::Clock::now());
}

}  // namespace vigil::core
