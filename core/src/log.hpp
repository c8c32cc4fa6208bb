// Daemon logging: one line per record to stderr. Under journald (the unit's
// stderr is the journal stream named by $JOURNAL_STREAM) each line starts with
// its syslog priority "<N>" so journald files it at that PRIORITY, and carries
// no timestamp of its own. `log_format: json` writes one JSON object per line
// for log shippers. Control characters in messages are escaped, so a file
// name with a newline cannot forge a log line. Repeated messages are rate
// limited (log_limiter.hpp) and summarised with a count.
#pragma once
#include <functional>
#include <string>
#include <string_view>

namespace vigil::core {

enum class LogLevel { trace = 0, debug = 1, info = 2, warn = 3, error = 4 };
enum class LogFormat { text, json };

void set_log_level(LogLevel level);
LogLevel log_level();
// Parses "trace|debug|info|warn|warning|error"; returns false when unknown.
bool parse_log_level(std::string_view text, LogLevel& out);
const char* log_level_name(LogLevel level);

void set_log_format(LogFormat format);
// Parses "text|json"; returns false when unknown.
bool parse_log_format(std::string_view text, LogFormat& out);

// True when $JOURNAL_STREAM names the device and inode of our stderr.
bool stderr_is_journal();
// Reads the environment once at startup (journald detection).
void log_init_from_environment();
// Forces journald formatting on or off (tests).
void set_log_journald(bool on);
// Replaces the output (tests); an empty function restores stderr.
void set_log_sink(std::function<void(std::string_view line)> sink);

void log(LogLevel level, std::string_view component, std::string_view message);
// Writes the counts of messages the rate limit held back in windows that have
// ended. Called by the daemon every second; log() calls it too.
void log_flush_suppressed();

// The text of one line (without the newline), for tests and the sink.
std::string format_log_line(LogLevel level, std::string_view component, std::string_view message, bool journald,
                            LogFormat format);

inline void log_info(std::string_view c, std::string_view m) { log(LogLevel::info, c, m); }
inline void log_warn(std::string_view c, std::string_view m) { log(LogLevel::warn, c, m); }
inline void log_error(std::string_view c, std::string_view m) { log(LogLevel::error, c, m); }
inline void log_debug(std::string_view c, std::string_view m) { log(LogLevel::debug, c, m); }

}  // namespace vigil::core
