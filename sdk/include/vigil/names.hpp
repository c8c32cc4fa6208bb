// Vigil C++ SDK: the text name of every enum value in events.h and plugin.h,
// as the host's JSON, vigilctl and the central node spell them. Unknown
// values (a newer peer) read as "unknown".
#pragma once

#include <cstdint>

#include "events.h"
#include "plugin.h"

namespace vigil {

inline const char* type_name(uint32_t type_id) {
    switch (type_id) {
        case VIGIL_TYPE_ANY: return "any";
        case VIGIL_TYPE_PROCESS_START: return "process_start";
        case VIGIL_TYPE_PROCESS_EXIT: return "process_exit";
        case VIGIL_TYPE_NETWORK: return "network";
        case VIGIL_TYPE_FILE: return "file";
        case VIGIL_TYPE_THREAT: return "threat";
        case VIGIL_TYPE_ACTION_RESULT: return "action_result";
        case VIGIL_TYPE_COMMAND: return "command";
        case VIGIL_TYPE_COMMAND_RESULT: return "command_result";
        case VIGIL_TYPE_PLUGIN_STATUS: return "plugin_status";
    }
    return type_id >= VIGIL_TYPE_CUSTOM_BASE ? "custom" : "unknown";
}

inline const char* network_action_name(uint32_t a) {
    switch (a) {
        case VIGIL_NET_CONNECT: return "connect";
        case VIGIL_NET_ACCEPT: return "accept";
        case VIGIL_NET_LISTEN: return "listen";
        case VIGIL_NET_CLOSE: return "close";
    }
    return "unknown";
}

inline const char* file_action_name(uint32_t a) {
    switch (a) {
        case VIGIL_FILE_CREATE: return "create";
        case VIGIL_FILE_MODIFY: return "modify";
        case VIGIL_FILE_DELETE: return "delete";
        case VIGIL_FILE_RENAME: return "rename";
        case VIGIL_FILE_CHMOD: return "chmod";
        case VIGIL_FILE_CHOWN: return "chown";
        case VIGIL_FILE_OPEN: return "open";
    }
    return "unknown";
}

inline const char* severity_name(uint32_t s) {
    switch (s) {
        case VIGIL_SEV_INFO: return "info";
        case VIGIL_SEV_LOW: return "low";
        case VIGIL_SEV_MEDIUM: return "medium";
        case VIGIL_SEV_HIGH: return "high";
        case VIGIL_SEV_CRITICAL: return "critical";
    }
    return "unknown";
}

inline const char* plugin_state_name(uint32_t s) {
    switch (s) {
        case VIGIL_PLUGIN_LOADED: return "loaded";
        case VIGIL_PLUGIN_RUNNING: return "running";
        case VIGIL_PLUGIN_STOPPED: return "stopped";
        case VIGIL_PLUGIN_FAILED: return "failed";
        case VIGIL_PLUGIN_DISABLED: return "disabled";
    }
    return "unknown";
}

inline const char* overflow_policy_name(uint32_t p) {
    switch (p) {
        case VIGIL_OVERFLOW_DROP_OLDEST: return "drop_oldest";
        case VIGIL_OVERFLOW_DROP_NEWEST: return "drop_newest";
    }
    return "unknown";
}

inline const char* log_level_name(int32_t level) {
    switch (level) {
        case VIGIL_LOG_TRACE: return "trace";
        case VIGIL_LOG_DEBUG: return "debug";
        case VIGIL_LOG_INFO: return "info";
        case VIGIL_LOG_WARN: return "warn";
        case VIGIL_LOG_ERROR: return "error";
    }
    return "unknown";
}

// Name of a vigil_hash_status value ("unknown" for values this header does not know).
inline const char* hash_status_name(uint32_t status) {
    switch (status) {
        case VIGIL_HASH_NONE: return "none";
        case VIGIL_HASH_OK: return "ok";
        case VIGIL_HASH_PENDING: return "pending";
        case VIGIL_HASH_TOO_LARGE: return "too_large";
        case VIGIL_HASH_REMOTE_FS: return "remote_fs";
        case VIGIL_HASH_NOT_REGULAR: return "not_regular";
        case VIGIL_HASH_TIMEOUT: return "timeout";
        case VIGIL_HASH_EXITED: return "exited";
        case VIGIL_HASH_ERROR: return "error";
        case VIGIL_HASH_BUSY: return "busy";
        case VIGIL_HASH_DISABLED: return "disabled";
    }
    return "unknown";
}

// The VIGIL_E* code's name ("EINVAL"), "OK" for 0.
inline const char* status_name(int32_t status) {
    switch (status) {
        case VIGIL_OK: return "OK";
        case VIGIL_EINVAL: return "EINVAL";
        case VIGIL_ENOTFOUND: return "ENOTFOUND";
        case VIGIL_ETIMEDOUT: return "ETIMEDOUT";
        case VIGIL_EDISABLED: return "EDISABLED";
        case VIGIL_EEXIST: return "EEXIST";
        case VIGIL_ESTATE: return "ESTATE";
        case VIGIL_ENOMEM: return "ENOMEM";
        case VIGIL_EINTERNAL: return "EINTERNAL";
        case VIGIL_EUNSUPPORTED: return "EUNSUPPORTED";
        case VIGIL_EFAILED: return "EFAILED";
    }
    return "unknown";
}

}  // namespace vigil
