/*
 * Vigil bus messages: the envelope and the core payload types.
 *
 * A message is a fixed envelope (vigil_message) plus a payload whose type the
 * envelope's type_id names. Core payloads are *flat*: a size-prefixed C struct
 * followed by the bytes of its strings, all in one buffer, so the bus can copy a
 * message with one memcpy and a subscriber reads fields directly, without
 * parsing. Strings are vigil_sref {offset, length} relative to the start of the
 * payload; the bytes are followed by a NUL so vigil_sref_cstr() is a C string.
 *
 * Payload structs are append-only: read new fields only when the payload's
 * struct_size covers them (VIGIL_HAS_FIELD), and a zero sref is an empty string.
 * The C helpers at the end of this file build payloads into a caller buffer;
 * C++ plugins use vigil::PayloadBuilder from sdk.hpp.
 */
#ifndef VIGIL_EVENTS_H
#define VIGIL_EVENTS_H

#include <stdint.h>
#include <string.h>

#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------ envelope -------------------------------- */

enum vigil_type_id {
    VIGIL_TYPE_ANY = 0,            /* subscribe only: every type */
    VIGIL_TYPE_PROCESS_START = 1,  /* vigil_process_event   (telemetry) */
    VIGIL_TYPE_PROCESS_EXIT = 2,   /* vigil_process_event   (telemetry) */
    VIGIL_TYPE_NETWORK = 3,        /* vigil_network_event   (telemetry) */
    VIGIL_TYPE_FILE = 4,           /* vigil_file_event      (telemetry) */
    VIGIL_TYPE_THREAT = 5,         /* vigil_threat_event    (critical)  */
    VIGIL_TYPE_ACTION_RESULT = 6,  /* vigil_action_result   (critical)  */
    VIGIL_TYPE_COMMAND = 7,        /* vigil_command         (critical)  */
    VIGIL_TYPE_COMMAND_RESULT = 8, /* vigil_command_result  (critical)  */
    VIGIL_TYPE_PLUGIN_STATUS = 9,  /* vigil_plugin_status   (critical)  */
    VIGIL_TYPE_CORE_LAST = 9,
    VIGIL_TYPE_CUSTOM_BASE = 0x10000 /* registered with host->register_type */
};

/* Envelope flags. */
#define VIGIL_MSG_FLAG_CRITICAL 0x0001u /* never dropped (set by the bus for critical types) */

typedef struct vigil_message {
    uint32_t struct_size;
    uint32_t type_id;
    uint16_t schema_version;  /* version of the payload layout for this type */
    uint16_t flags;
    uint32_t payload_size;
    uint64_t sequence;        /* per-publisher, monotonically increasing (set by bus) */
    uint64_t timestamp_ns;    /* CLOCK_REALTIME nanoseconds (0 on publish = now) */
    uint64_t correlation_id;  /* commands and their results; 0 otherwise */
    const char* source;       /* publishing plugin name (set by bus) */
    uint32_t source_len;
    uint32_t reserved;
    const void* payload;
} vigil_message;

/* String inside a flat payload. */
typedef struct vigil_sref {
    uint32_t off;
    uint32_t len;
} vigil_sref;

static inline const char* vigil_sref_cstr(const void* payload, vigil_sref s) {
    return s.len == 0 ? "" : (const char*)payload + s.off;
}

/* --------------------------- process context ---------------------------- */

#define VIGIL_PROC_FLAG_INTERACTIVE 0x1u  /* has a controlling tty */
#define VIGIL_PROC_FLAG_KNOWN 0x2u        /* the context is filled (the process was identified) */
#define VIGIL_PROC_FLAG_CONTAINER 0x4u    /* runs in a mount namespace other than init's */

/* Who did it: embedded in every telemetry and threat payload. */
typedef struct vigil_process_ctx {
    uint32_t struct_size;
    uint32_t flags;           /* VIGIL_PROC_FLAG_* */
    int32_t pid;
    int32_t ppid;
    uint32_t uid, euid, gid, egid;
    uint64_t start_time_ns;   /* CLOCK_REALTIME of process start */
    uint64_t process_key;     /* stable id for (pid, start time) on this boot */
    uint64_t mnt_ns, pid_ns, net_ns, user_ns; /* namespace inode numbers */
    uint32_t argc;
    uint32_t reserved;
    vigil_sref exe;           /* absolute executable path */
    vigil_sref argv;          /* argc strings, each NUL-terminated, back to back */
    vigil_sref cmdline;       /* argv joined with spaces (for display and matching) */
    vigil_sref cwd;
    vigil_sref user;          /* user name of uid */
    vigil_sref sha256;        /* hex SHA-256 of exe, or empty */
    vigil_sref parent_exe;
    vigil_sref parent_cmdline;
    vigil_sref container_id;  /* from the cgroup path, or empty */
    vigil_sref tty;           /* e.g. "pts/3", empty when none */
    vigil_sref comm;
} vigil_process_ctx;

/* --------------------------- telemetry payloads -------------------------- */

typedef struct vigil_process_event {
    uint32_t struct_size;
    uint32_t reserved;
    vigil_process_ctx process;
    /* process exit only */
    int32_t exit_code;        /* -1 when killed by a signal */
    int32_t exit_signal;      /* 0 when exited normally */
    uint64_t lifetime_ns;
} vigil_process_event;

typedef enum vigil_network_action {
    VIGIL_NET_CONNECT = 1,
    VIGIL_NET_ACCEPT = 2,
    VIGIL_NET_LISTEN = 3,
    VIGIL_NET_CLOSE = 4
} vigil_network_action;

typedef struct vigil_network_event {
    uint32_t struct_size;
    uint32_t action;          /* vigil_network_action */
    uint8_t family;           /* AF_INET or AF_INET6 */
    uint8_t protocol;         /* IPPROTO_TCP, IPPROTO_UDP, ... */
    uint16_t local_port;      /* host byte order */
    uint16_t remote_port;
    uint16_t reserved;
    uint8_t local_addr[16];   /* 4 bytes used for AF_INET, network order */
    uint8_t remote_addr[16];
    uint64_t bytes_sent;      /* on close, when known */
    uint64_t bytes_received;
    vigil_process_ctx process;
    vigil_sref remote_hostname; /* when known (DNS), else empty */
} vigil_network_event;

typedef enum vigil_file_action {
    VIGIL_FILE_CREATE = 1,
    VIGIL_FILE_MODIFY = 2,    /* closed after write */
    VIGIL_FILE_DELETE = 3,
    VIGIL_FILE_RENAME = 4,    /* path = old, new_path = new */
    VIGIL_FILE_CHMOD = 5,
    VIGIL_FILE_CHOWN = 6,
    VIGIL_FILE_OPEN = 7
} vigil_file_action;

typedef struct vigil_file_event {
    uint32_t struct_size;
    uint32_t action;          /* vigil_file_action */
    uint32_t mode;            /* st_mode after the change, when known */
    uint32_t uid, gid;        /* owner after the change, when known */
    uint32_t reserved;
    uint64_t size;
    uint64_t inode;
    uint64_t device;
    vigil_sref path;
    vigil_sref new_path;
    vigil_sref sha256;        /* when computed, else empty */
    vigil_process_ctx process;/* flags lack VIGIL_PROC_FLAG_KNOWN when unknown */
} vigil_file_event;

/* ---------------------------- critical payloads ------------------------- */

typedef enum vigil_severity {
    VIGIL_SEV_INFO = 0,
    VIGIL_SEV_LOW = 1,
    VIGIL_SEV_MEDIUM = 2,
    VIGIL_SEV_HIGH = 3,
    VIGIL_SEV_CRITICAL = 4
} vigil_severity;

/* A detection by any protection plugin. */
typedef struct vigil_threat_event {
    uint32_t struct_size;
    uint32_t severity;        /* vigil_severity */
    uint64_t threat_id;       /* unique per agent run; action results refer to it */
    uint64_t trigger_sequence;/* envelope sequence of the triggering event, if any */
    vigil_sref detector;      /* e.g. "sigma", "yara", "hash", "openioc", "portscan" */
    vigil_sref rule_id;
    vigil_sref title;
    vigil_sref description;
    vigil_sref tags;          /* comma-separated, e.g. "attack.t1059,attack.execution" */
    vigil_sref author;
    vigil_sref object_type;   /* "file", "process", "host", "url", "ioc", ... */
    vigil_sref object;        /* path, url, address, ... */
    vigil_sref sha256;
    vigil_sref trigger_json;  /* the triggering event as JSON, or empty */
    vigil_sref details_json;  /* detector-specific JSON object, or empty */
    vigil_process_ctx process;
} vigil_threat_event;

/* The result of handling a threat or carrying out a response. */
typedef struct vigil_action_result {
    uint32_t struct_size;
    int32_t status;           /* VIGIL_OK or a negative vigil_status */
    uint64_t threat_id;       /* 0 when not about a threat */
    uint64_t correlation_id;  /* of the command that asked for it, if any */
    vigil_sref action;        /* "block", "kill", "quarantine", "delete", "isolate", ... */
    vigil_sref object;        /* what it acted on */
    vigil_sref details_json;
    vigil_sref error;         /* human-readable reason when status != OK */
    vigil_sref origin;        /* who asked: "policy", "task:<id>", "vigilctl" */
} vigil_action_result;

typedef struct vigil_command {
    uint32_t struct_size;
    uint32_t reserved;
    uint64_t deadline_ns;     /* CLOCK_REALTIME; a reply after it is refused */
    vigil_sref name;          /* "<plugin>.<verb>" */
    vigil_sref args_json;     /* JSON object (or empty = {}) */
    vigil_sref origin;        /* sender plugin, "vigilctl", "task:<id>" */
} vigil_command;

typedef struct vigil_command_result {
    uint32_t struct_size;
    int32_t status;           /* VIGIL_OK or a negative vigil_status */
    vigil_sref name;          /* the command's name */
    vigil_sref result_json;   /* JSON value, or empty */
    vigil_sref error;         /* message when status != OK */
} vigil_command_result;

typedef enum vigil_plugin_state_code {
    VIGIL_PLUGIN_LOADED = 0,
    VIGIL_PLUGIN_RUNNING = 1,
    VIGIL_PLUGIN_STOPPED = 2,
    VIGIL_PLUGIN_FAILED = 3,
    VIGIL_PLUGIN_DISABLED = 4
} vigil_plugin_state_code;

typedef struct vigil_plugin_status {
    uint32_t struct_size;
    uint32_t state;           /* vigil_plugin_state_code */
    vigil_sref plugin;
    vigil_sref message;
    vigil_sref status_json;
} vigil_plugin_status;

/* ----------------------- C payload builder helpers ----------------------- */
/*
 * Builds a flat payload in a caller buffer:
 *   char buf[4096]; vigil_builder b; vigil_builder_init(&b, buf, sizeof buf,
 *       sizeof(vigil_file_event));
 *   vigil_file_event* e = (vigil_file_event*)buf;  ... set fields ...
 *   e->path = vigil_builder_add(&b, "/tmp/x", 6);
 *   if (b.overflow) ...; msg.payload = buf; msg.payload_size = b.used;
 * Struct pointers stay valid (the buffer never moves).
 */
typedef struct vigil_builder {
    char* buf;
    uint32_t cap;
    uint32_t used;
    int overflow;
} vigil_builder;

static inline void vigil_builder_init(vigil_builder* b, void* buf, uint32_t cap, uint32_t head) {
    b->buf = (char*)buf;
    b->cap = cap;
    b->overflow = head > cap;
    b->used = b->overflow ? cap : head;
    memset(buf, 0, b->used);
    if (!b->overflow) *(uint32_t*)buf = head; /* struct_size */
}

static inline vigil_sref vigil_builder_add(vigil_builder* b, const char* s, uint32_t len) {
    vigil_sref r = {0, 0};
    if (len == 0) return r;
    if (b->used + len + 1 > b->cap) {
        b->overflow = 1;
        return r;
    }
    memcpy(b->buf + b->used, s, len);
    b->buf[b->used + len] = '\0';
    r.off = b->used;
    r.len = len;
    b->used += len + 1;
    return r;
}

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_EVENTS_H */
