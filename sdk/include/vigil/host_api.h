/*
 * Vigil plugin ABI, part 1: versions, status codes and the services the host
 * offers a plugin (vigil_host_api). Included by plugin.h, which states the
 * general rules (versioning, strings, limits, ownership, threading, errors)
 * that every contract below relies on; include <vigil/plugin.h>, not this file.
 */
#ifndef VIGIL_HOST_API_H
#define VIGIL_HOST_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_ABI_MAJOR 1
#define VIGIL_ABI_MINOR 3

/* History (append-only within major 1):
 *   1.0  first stable ABI
 *   1.1  host: quarantine_put; plugin info: license, homepage
 *   1.2  host: send_command_as (a command on behalf of an origin, e.g. a central-node task)
 *   1.3  host: quarantine_put_at (acts on a held directory + name + the judged file's identity),
 *        then agent_settings (typed agent settings: state dir, control socket, plugin dirs,
 *        log level, the proxy already parsed) */

#if defined(__GNUC__)
#define VIGIL_EXPORT __attribute__((visibility("default")))
#else
#define VIGIL_EXPORT
#endif

/* Name of the single symbol every plugin exports. */
#define VIGIL_PLUGIN_ENTRY_SYMBOL "vigil_plugin_entry"

/* Limits (see LIMITS in plugin.h). */
#define VIGIL_MAX_PAYLOAD (16u << 20)
#define VIGIL_MAX_TYPE_NAME 128u
#define VIGIL_MAX_ORIGIN 256u
#define VIGIL_MAX_ERRLEN 1024u

/* True when a struct whose first field is struct_size covers `field`. */
#define VIGIL_HAS_FIELD(ptr, type, field) \
    ((ptr) != NULL && (ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

typedef int32_t vigil_status;
enum {
    VIGIL_OK = 0,
    VIGIL_EINVAL = -1,      /* bad argument (NULL callback, over a limit, wrong name) */
    VIGIL_ENOTFOUND = -2,   /* no such command / plugin / subscription / timer */
    VIGIL_ETIMEDOUT = -3,   /* deadline passed before a reply */
    VIGIL_EDISABLED = -4,   /* target plugin is disabled or not running */
    VIGIL_EEXIST = -5,      /* already registered */
    VIGIL_ESTATE = -6,      /* call not allowed in the current state (stopped, replied) */
    VIGIL_ENOMEM = -7,
    VIGIL_EINTERNAL = -8,   /* unexpected failure (an exception, a bug) */
    VIGIL_EUNSUPPORTED = -9,
    VIGIL_EFAILED = -10     /* the operation ran and failed; see the message */
};

typedef enum vigil_log_level {
    VIGIL_LOG_TRACE = 0,
    VIGIL_LOG_DEBUG = 1,
    VIGIL_LOG_INFO = 2,
    VIGIL_LOG_WARN = 3,
    VIGIL_LOG_ERROR = 4
} vigil_log_level;

/* Opaque handle the host gives each plugin instance; pass it to every service. */
typedef struct vigil_host_handle vigil_host_handle;
/* Opaque plugin instance state returned by create(). */
typedef struct vigil_plugin_state vigil_plugin_state;

struct vigil_message; /* events.h */

/* ----------------------------- host services ----------------------------- */

typedef enum vigil_overflow_policy {
    /* Telemetry: when the queue is full the oldest queued telemetry message is
     * dropped and counted. Critical types (threat, action result, command,
     * command result, plugin status) are never dropped by any policy. */
    VIGIL_OVERFLOW_DROP_OLDEST = 0,
    /* The new message is dropped and counted. */
    VIGIL_OVERFLOW_DROP_NEWEST = 1
} vigil_overflow_policy;

typedef struct vigil_subscribe_options {
    uint32_t struct_size;
    uint32_t queue_capacity;  /* 0 = host default (agent.queue_capacity, 65536) */
    uint32_t overflow_policy; /* vigil_overflow_policy */
    uint32_t reserved;
} vigil_subscribe_options;

/* Message callback. `msg` and everything it points to is borrowed for the call. */
typedef void (*vigil_message_cb)(void* user, const struct vigil_message* msg);

/* Command handler. `command` is a VIGIL_TYPE_COMMAND message (borrowed for the
 * call). The handler must answer it exactly once with host->reply(), now or
 * later, from any thread, passing command->correlation_id. */
typedef void (*vigil_command_cb)(void* user, const struct vigil_message* command);

/* Reply to a command this plugin sent: called exactly once, with a
 * VIGIL_TYPE_COMMAND_RESULT message (a result, an error, or a timeout error
 * produced by the bus). Runs on the sender's executor thread. When the sender
 * stops first, the reply is discarded and cb is never called (free `user` in
 * destroy()). */
typedef void (*vigil_reply_cb)(void* user, const struct vigil_message* result);

typedef void (*vigil_task_cb)(void* user);

/* Receives a borrowed string (valid for the call only). */
typedef void (*vigil_string_cb)(void* user, const char* data, uint32_t len);

typedef struct vigil_agent_identity {
    uint32_t struct_size;
    const char* agent_id;     /* persistent UUID, kept in the state directory */
    const char* hostname;
    const char* agent_version;
} vigil_agent_identity;

/* since 1.3: the object a file action was judged on: identity (device, inode)
 * and, with VIGIL_FILE_CHECK_VERSION, its version (size, mtime, ctime in ns
 * since the epoch). Any write, truncate, chmod, chown or rename changes ctime. */
typedef struct vigil_file_identity {
    uint32_t struct_size;
    uint32_t flags; /* VIGIL_FILE_CHECK_VERSION */
    uint64_t dev;
    uint64_t ino;
    uint64_t size;
    int64_t mtime_ns;
    int64_t ctime_ns;
} vigil_file_identity;

#define VIGIL_FILE_CHECK_VERSION 1u

/* since 1.3: the agent's settings, typed, so no plugin parses the `agent:`
 * JSON. Every string is NUL-terminated and never NULL ("" when unset). */
typedef struct vigil_agent_settings {
    uint32_t struct_size;
    uint32_t plugin_dir_count;
    const char* state_dir;           /* the agent's state directory (not the plugin's own) */
    const char* control_socket;      /* vigilctl's UNIX socket */
    const char* const* plugin_dirs;  /* plugin_dir_count directories, searched in order */
    const char* log_level;           /* "trace", "debug", "info", "warn" or "error" */
    const char* proxy_url;           /* as configured; "" = direct connections */
    const char* proxy_host;          /* "" when no proxy; an IPv6 address without brackets */
    const char* proxy_username;      /* percent-decoded; "" when none */
    const char* proxy_password;      /* percent-decoded; "" when none */
    uint32_t proxy_port;             /* 0 when no proxy */
    uint32_t reserved;
} vigil_agent_settings;

typedef struct vigil_host_api {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    uint32_t reserved;

    /* Writes one line to the agent's log, prefixed with the plugin's name.
     *  Thread:   any.   Returns: nothing; level is clamped to TRACE..ERROR.
     *  Strings:  msg need not be NUL-terminated; invalid UTF-8 is logged as is. */
    void (*log)(vigil_host_handle* h, int32_t level, const char* msg, uint32_t len);

    /* Publishes a message. The host copies envelope and payload before it
     * returns; source, sequence and timestamp (when 0) are filled in.
     *  Thread:   any.  When: create() .. destroy() (queued to subscribers at once).
     *  Returns:  VIGIL_OK; VIGIL_EINVAL (msg NULL or too short, type ANY or
     *            not registered, payload NULL with a size, payload over
     *            VIGIL_MAX_PAYLOAD, a core payload whose struct_size does not
     *            fit its size).
     *  Note:     a full subscriber queue drops telemetry there (counted), never
     *            here: publish does not block on slow subscribers. */
    vigil_status (*publish)(vigil_host_handle* h, const struct vigil_message* msg);

    /* Subscribes to one message type (VIGIL_TYPE_ANY for every type).
     *  Thread:   any. cb runs on this subscription's own delivery thread, never
     *            concurrently with itself.
     *  When:     create() .. destroy(); nothing is delivered before start() has
     *            returned (messages published meanwhile are queued, bounded).
     *  Returns:  VIGIL_OK and an id > 0 in *out_id (may be NULL); VIGIL_EINVAL
     *            (cb NULL, unknown type).
     *  Options:  NULL = host defaults; fields beyond options->struct_size are
     *            defaults too.
     *  Lifetime: `user` must stay valid until unsubscribe() has returned, or
     *            until destroy() when never unsubscribed. */
    vigil_status (*subscribe)(vigil_host_handle* h, uint32_t type_id,
                              const vigil_subscribe_options* options, vigil_message_cb cb,
                              void* user, uint64_t* out_id);
    /* Ends a subscription.
     *  Thread:   any, including the subscription's own callback.
     *  Returns:  VIGIL_OK; VIGIL_ENOTFOUND (not this plugin's, or already ended).
     *  Lifetime: waits for a running cb to return, except when called from
     *            inside that cb; after it returns cb is not called again and
     *            `user` may be freed (from inside cb: after cb returns). */
    vigil_status (*unsubscribe)(vigil_host_handle* h, uint64_t subscription_id);

    /* Registers a custom message type by name ("vendor.thing"); the same name
     * always yields the same id within a process.
     *  Thread:   any.
     *  Returns:  VIGIL_OK and an id >= VIGIL_TYPE_CUSTOM_BASE in *out_type_id;
     *            VIGIL_EINVAL (name empty or over VIGIL_MAX_TYPE_NAME, out NULL). */
    vigil_status (*register_type)(vigil_host_handle* h, const char* name, uint32_t name_len,
                                  uint32_t* out_type_id);

    /* --- commands (request/reply) --- */
    /* Registers a handler for command `name`. Command names are namespaced by
     * plugin: "<plugin>.<verb>", which is how the bus can answer "plugin X is
     * disabled" for a plugin that never loaded.
     *  When:     create() or start() (a handler lives until stop()).
     *  Thread:   any. cb runs on the executor.
     *  Returns:  VIGIL_OK; VIGIL_EINVAL (cb NULL, a name without this plugin's
     *            prefix or without a verb); VIGIL_EEXIST (name taken).
     *  Lifetime: `user` must stay valid until stop() has returned. */
    vigil_status (*register_command)(vigil_host_handle* h, const char* name, uint32_t name_len,
                                     vigil_command_cb cb, void* user);

    /* Sends command `name` with JSON arguments (a JSON object; NULL/empty = {}).
     *  Thread:   any. cb runs exactly once on this plugin's executor with the
     *            result, an error, or a timeout error after timeout_ms (0 = 30 s).
     *  Returns:  VIGIL_OK and the correlation id in *out_correlation_id (may
     *            be NULL); VIGIL_EINVAL (name empty, cb NULL). Only when OK is
     *            cb called. An unknown or disabled target is an error reply
     *            (VIGIL_ENOTFOUND / VIGIL_EDISABLED), not a return code.
     *  Lifetime: `user` until cb has run — or until destroy() when the plugin
     *            stops before the reply (then cb is never called). */
    vigil_status (*send_command)(vigil_host_handle* h, const char* name, uint32_t name_len,
                                 const char* args_json, uint32_t args_len, uint32_t timeout_ms,
                                 vigil_reply_cb cb, void* user, uint64_t* out_correlation_id);

    /* Answers a command received by a handler. status is VIGIL_OK or a
     * negative code; result_json is the result (a JSON value, or NULL), error
     * a human message (or NULL).
     *  Thread:   any, now or later (a worker thread may answer).
     *  Returns:  VIGIL_OK; VIGIL_ESTATE for a second reply or a reply after
     *            the deadline (the bus already answered with a timeout) —
     *            counted as a late reply; VIGIL_EINVAL for a command another
     *            plugin handles (only the handler may answer). */
    vigil_status (*reply)(vigil_host_handle* h, uint64_t correlation_id, vigil_status status,
                          const char* result_json, uint32_t result_len, const char* error,
                          uint32_t error_len);

    /* --- metrics (names are per plugin; exported as vigil_<plugin>_<name>) ---
     *  Thread: any. Names are ASCII [a-z0-9_.]; counters only grow. */
    void (*counter_add)(vigil_host_handle* h, const char* name, uint32_t name_len, uint64_t delta);
    void (*gauge_set)(vigil_host_handle* h, const char* name, uint32_t name_len, int64_t value);

    /* --- timers and the executor --- */
    /* Calls cb on the executor after interval_ms, then every interval_ms when
     * repeat != 0 (the next run is scheduled when one starts).
     *  When:     create() .. the start of stop(); nothing fires before start()
     *            has returned.
     *  Returns:  VIGIL_OK and an id > 0 in *out_timer_id (may be NULL);
     *            VIGIL_EINVAL (cb NULL); VIGIL_ESTATE (the executor stopped).
     *  Lifetime: `user` until timer_cancel() and a following post() callback
     *            has run (a callback already running on the executor finishes
     *            after timer_cancel returns), or until destroy(); for a one-shot
     *            timer, also until its callback has returned. */
    vigil_status (*timer_start)(vigil_host_handle* h, uint32_t interval_ms, int32_t repeat,
                                vigil_task_cb cb, void* user, uint64_t* out_timer_id);
    /* Stops a timer: it does not fire again once this returns. Does not wait
     * for a callback that is running right now (see timer_start's Lifetime).
     *  Thread:   any, including the timer's own callback.
     *  Returns:  VIGIL_OK; VIGIL_ENOTFOUND (unknown, fired one-shot, cancelled,
     *            or the executor stopped). */
    vigil_status (*timer_cancel)(vigil_host_handle* h, uint64_t timer_id);
    /* Runs cb once on the plugin's executor thread, as soon as possible, after
     * the work queued before it.
     *  Returns:  VIGIL_OK; VIGIL_EINVAL (cb NULL); VIGIL_ESTATE (the executor
     *            stopped: cb will never run, free `user` yourself).
     *  Lifetime: `user` until cb has run. */
    vigil_status (*post)(vigil_host_handle* h, vigil_task_cb cb, void* user);

    /* --- configuration and identity --- */
    /* The plugin's settings (its YAML section, without `enabled`) as a JSON
     * object: validated against config_schema, with every `default` the schema
     * declares filled in for keys the operator left out.
     *  Returns:  NUL-terminated JSON; its length in *out_len (may be NULL).
     *  Lifetime: until reconfigure() is called or destroy(). The host replaces
     *            the text just before calling reconfigure(), so a plugin thread
     *            must not read it concurrently: copy it in create() and in
     *            reconfigure() (the C++ SDK's config_json() returns a copy). */
    const char* (*config_json)(vigil_host_handle* h, uint32_t* out_len);
    /* The `agent:` section as JSON (proxy, log level, ...); same lifetime as
     * config_json, but it only changes across a restart of the plugin. */
    const char* (*agent_config_json)(vigil_host_handle* h, uint32_t* out_len);
    /* A directory owned by this plugin (<agent state_dir>/plugins/<name>,
     * created with mode 0700 before create()). NUL-terminated, valid until
     * destroy() returns. */
    const char* (*state_dir)(vigil_host_handle* h);
    /* Fills *out up to out->struct_size (set it to sizeof before the call; the
     * host sets it to what it filled).
     *  Returns:  VIGIL_OK; VIGIL_EINVAL (out NULL or struct_size < 4).
     *  Lifetime: the strings are valid until destroy() returns. */
    vigil_status (*agent_identity)(vigil_host_handle* h, vigil_agent_identity* out);

    /* Publishes this plugin's status as a JSON object; shown by `vigilctl
     * status`, sent in heartbeats and included in host_status_json(). The host
     * copies it. Text that is not valid JSON is ignored (with a warning in the
     * agent's log): the previous status stays. */
    void (*set_status_json)(vigil_host_handle* h, const char* json, uint32_t len);

    /* Calls cb before returning, on the calling thread, with a JSON snapshot
     * of the host: version, uptime, each plugin's state, counters and status
     * JSON. The text is borrowed for the call. */
    void (*host_status_json)(vigil_host_handle* h, vigil_string_cb cb, void* user);

    /* --- since 1.1: the agent's quarantine / backup store (one per agent, owned by the host) ---
     * Puts the regular file at `path` into the store. The host records original
     * path, owner, mode, size, mtime, MD5, SHA-1, SHA-256 and the time, plus the
     * caller's metadata (a JSON object: detection, reason, task, ...). With
     * VIGIL_QUARANTINE_MOVE the original is removed (that is how quarantine and
     * delete-with-backup work); with VIGIL_QUARANTINE_COPY it stays. Entries
     * are listed, restored (byte-identical, with owner, mode and mtime) and
     * deleted with the host commands agent.quarantine_list / _restore /
     * _delete, which `vigilctl quarantine ...` uses.
     *  Thread:   any (it copies the whole file: call it from a worker thread).
     *  Returns:  VIGIL_OK, and cb (may be NULL) receives the entry as JSON
     *            ({"id": ..., "original_path": ..., ...}); VIGIL_EINVAL (path
     *            NULL); VIGIL_EFAILED, and cb receives the reason as text (not
     *            a regular file, changed while copied, I/O error, ...). cb runs
     *            before the function returns, on the calling thread. */
    vigil_status (*quarantine_put)(vigil_host_handle* h, const char* path, uint32_t path_len,
                                   const char* meta_json, uint32_t meta_len, uint32_t flags,
                                   vigil_string_cb cb, void* user);

    /* --- since 1.2 ---
     * send_command with an explicit origin that the handler sees in
     * vigil_command.origin (e.g. "task:<id>" when a connector acts for a
     * central-node task); origin NULL/empty = the sending plugin's name.
     *  Returns:  as send_command; VIGIL_EINVAL also for an origin over
     *            VIGIL_MAX_ORIGIN bytes.
     *  Check VIGIL_HAS_FIELD(host, vigil_host_api, send_command_as) first. */
    vigil_status (*send_command_as)(vigil_host_handle* h, const char* name, uint32_t name_len,
                                    const char* args_json, uint32_t args_len, uint32_t timeout_ms,
                                    const char* origin, uint32_t origin_len, vigil_reply_cb cb, void* user,
                                    uint64_t* out_correlation_id);

    /* --- since 1.3 ---
     * quarantine_put for the object the caller judged, immune to path swaps:
     * `dir_fd` is a directory the caller opened without following symbolic
     * links (or held since the event it judged; O_PATH is enough), `name` one
     * component in it, `path` what is recorded as original_path. The host
     * opens name under dir_fd without following a link, checks that it is a
     * regular file matching `expect` (device and inode; size, mtime and ctime
     * too with VIGIL_FILE_CHECK_VERSION), copies it, checks it again and, with
     * VIGIL_QUARANTINE_MOVE, unlinks that name only if it still is the same
     * object.
     *  Thread:   any (it copies the whole file: call it from a worker thread).
     *  Returns:  VIGIL_OK, cb (may be NULL) receives the entry as JSON;
     *            VIGIL_EINVAL (dir_fd < 0, name, path or expect NULL, expect
     *            shorter than vigil_file_identity); VIGIL_EFAILED, and cb receives the reason
     *            as text, when anything does not match (nothing moved). cb runs
     *            before the function returns, on the calling thread.
     *  Lifetime: dir_fd stays the caller's (borrowed for the call).
     *  Check VIGIL_HAS_FIELD(host, vigil_host_api, quarantine_put_at) first. */
    vigil_status (*quarantine_put_at)(vigil_host_handle* h, int32_t dir_fd, const char* name, uint32_t name_len,
                                      const char* path, uint32_t path_len, const vigil_file_identity* expect,
                                      const char* meta_json, uint32_t meta_len, uint32_t flags,
                                      vigil_string_cb cb, void* user);

    /* since 1.3, after quarantine_put_at:
     * Fills *out up to out->struct_size (set it to sizeof before the call; the
     * host sets it to what it filled). The C++ SDK's vigil::agent_settings()
     * wraps it and falls back to agent_config_json() on older hosts.
     *  Thread:   any.
     *  Returns:  VIGIL_OK; VIGIL_EINVAL (out NULL or struct_size < 4).
     *  Lifetime: every string and the plugin_dirs array stay valid until
     *            destroy() returns (the agent section changes only across a
     *            restart of the plugin).
     *  Check VIGIL_HAS_FIELD(host, vigil_host_api, agent_settings) first. */
    vigil_status (*agent_settings)(vigil_host_handle* h, vigil_agent_settings* out);
} vigil_host_api;

#define VIGIL_QUARANTINE_MOVE 0u
#define VIGIL_QUARANTINE_COPY 1u
#ifdef __cplusplus
}
#endif

#endif /* VIGIL_HOST_API_H */
