// Daemon logging: one line per record to stderr (journald adds its own fields).
#pragma once
#include <string>
#include <string_view>

namespace vigil::core {

enum class LogLevel { trace = 0, debug = 1, info = 2, warn = 3, error = 4 };

void set_log_level(LogLevel level);
LogLevel log_level();
// Parses "trace|debug|info|warn|warning|error"; returns false when unknown.
bool parse_log_level(std::string_view text, LogLevel& out);
const char* log_level_name(LogLevel level);

void log(LogLevel level, std::string_view component, std::string_view message);

inline void log_info(std::string_view c, std::string_view m) { log(LogLevel::info, c, m); }
inline void log_warn(std::string_view c, std::string_view m) { log(LogLevel::warn, c, m); }
inline void log_error(std::string_view c, std::string_view m) { log(LogLevel::error, c, m); }
inline void log_debug(std::string_view c, std::string_view m) { log(LogLevel::debug, c, m); }

}  // namespace vigil::core
