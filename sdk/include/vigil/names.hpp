// Vigil C++ SDK: the text name of every enum value in events.h and plugin.h,
// as the host's JSON, vigilctl and the central node spell them. Unknown
// values (a newer peer) read as "unknown". One {value, name} table per enum
// (enum_table.hpp), so a new value is one row and a parser can read names
// back with enum_from_name(names::kFileActions, "rename").
#pragma once

#include <cstdint>

#include "enum_table.hpp"
#include "events.h"
#include "plugin.h"

namespace vigil {

namespace names {

inline constexpr EnumName<uint32_t> kTypes[] = {
    {VIGIL_TYPE_ANY, "any"},
    {VIGIL_TYPE_PROCESS_START, "process_start"},
    {VIGIL_TYPE_PROCESS_EXIT, "process_exit"},
    {VIGIL_TYPE_NETWORK, "network"},
    {VIGIL_TYPE_FILE, "file"},
    {VIGIL_TYPE_THREAT, "threat"},
    {VIGIL_TYPE_ACTION_RESULT, "action_result"},
    {VIGIL_TYPE_COMMAND, "command"},
    {VIGIL_TYPE_COMMAND_RESULT, "command_result"},
    {VIGIL_TYPE_PLUGIN_STATUS, "plugin_status"},
};

inline constexpr EnumName<uint32_t> kNetworkActions[] = {
    {VIGIL_NET_CONNECT, "connect"},
    {VIGIL_NET_ACCEPT, "accept"},
    {VIGIL_NET_LISTEN, "listen"},
    {VIGIL_NET_CLOSE, "close"},
};

inline constexpr EnumName<uint32_t> kFileActions[] = {
    {VIGIL_FILE_CREATE, "create"}, {VIGIL_FILE_MODIFY, "modify"}, {VIGIL_FILE_DELETE, "delete"},
    {VIGIL_FILE_RENAME, "rename"}, {VIGIL_FILE_CHMOD, "chmod"},   {VIGIL_FILE_CHOWN, "chown"},
    {VIGIL_FILE_OPEN, "open"},
};

inline constexpr EnumName<uint32_t> kSeverities[] = {
    {VIGIL_SEV_INFO, "info"}, {VIGIL_SEV_LOW, "low"},           {VIGIL_SEV_MEDIUM, "medium"},
    {VIGIL_SEV_HIGH, "high"}, {VIGIL_SEV_CRITICAL, "critical"},
};

inline constexpr EnumName<uint32_t> kPluginStates[] = {
    {VIGIL_PLUGIN_LOADED, "loaded"}, {VIGIL_PLUGIN_RUNNING, "running"},   {VIGIL_PLUGIN_STOPPED, "stopped"},
    {VIGIL_PLUGIN_FAILED, "failed"}, {VIGIL_PLUGIN_DISABLED, "disabled"},
};

inline constexpr EnumName<uint32_t> kOverflowPolicies[] = {
    {VIGIL_OVERFLOW_DROP_OLDEST, "drop_oldest"},
    {VIGIL_OVERFLOW_DROP_NEWEST, "drop_newest"},
};

inline constexpr EnumName<int32_t> kLogLevels[] = {
    {VIGIL_LOG_TRACE, "trace"}, {VIGIL_LOG_DEBUG, "debug"}, {VIGIL_LOG_INFO, "info"},
    {VIGIL_LOG_WARN, "warn"},   {VIGIL_LOG_ERROR, "error"},
};

inline constexpr EnumName<uint32_t> kHashStatuses[] = {
    {VIGIL_HASH_NONE, "none"},           {VIGIL_HASH_OK, "ok"},
    {VIGIL_HASH_PENDING, "pending"},     {VIGIL_HASH_TOO_LARGE, "too_large"},
    {VIGIL_HASH_REMOTE_FS, "remote_fs"}, {VIGIL_HASH_NOT_REGULAR, "not_regular"},
    {VIGIL_HASH_TIMEOUT, "timeout"},     {VIGIL_HASH_EXITED, "exited"},
    {VIGIL_HASH_ERROR, "error"},         {VIGIL_HASH_BUSY, "busy"},
    {VIGIL_HASH_DISABLED, "disabled"},
};

inline constexpr EnumName<int32_t> kStatuses[] = {
    {VIGIL_OK, "OK"},
    {VIGIL_EINVAL, "EINVAL"},
    {VIGIL_ENOTFOUND, "ENOTFOUND"},
    {VIGIL_ETIMEDOUT, "ETIMEDOUT"},
    {VIGIL_EDISABLED, "EDISABLED"},
    {VIGIL_EEXIST, "EEXIST"},
    {VIGIL_ESTATE, "ESTATE"},
    {VIGIL_ENOMEM, "ENOMEM"},
    {VIGIL_EINTERNAL, "EINTERNAL"},
    {VIGIL_EUNSUPPORTED, "EUNSUPPORTED"},
    {VIGIL_EFAILED, "EFAILED"},
};

}  // namespace names

// A type id above the core range names "custom" (plugin-defined types).
inline const char* type_name(uint32_t type_id) {
    return enum_name(names::kTypes, type_id, type_id >= VIGIL_TYPE_CUSTOM_BASE ? "custom" : "unknown");
}
inline const char* network_action_name(uint32_t a) { return enum_name(names::kNetworkActions, a, "unknown"); }
inline const char* file_action_name(uint32_t a) { return enum_name(names::kFileActions, a, "unknown"); }
inline const char* severity_name(uint32_t s) { return enum_name(names::kSeverities, s, "unknown"); }
inline const char* plugin_state_name(uint32_t s) { return enum_name(names::kPluginStates, s, "unknown"); }
inline const char* overflow_policy_name(uint32_t p) {
    return enum_name(names::kOverflowPolicies, p, "unknown");
}
inline const char* log_level_name(int32_t level) { return enum_name(names::kLogLevels, level, "unknown"); }
// Name of a vigil_hash_status value ("unknown" for values this header does not know).
inline const char* hash_status_name(uint32_t status) {
    return enum_name(names::kHashStatuses, status, "unknown");
}
// The VIGIL_E* code's name ("EINVAL"), "OK" for 0.
inline const char* status_name(int32_t status) { return enum_name(names::kStatuses, status, "unknown"); }

}  // namespace vigil
