/*
 * Vigil plugin ABI — the contract between the vigild host and a plugin.
 *
 * This header is pure C (C99) so that a plugin can be written in C, C++ or any
 * language with a C FFI. Everything that crosses the boundary is a fixed-width
 * integer, a pointer + length, or a struct that starts with its own size.
 *
 * ----------------------------------------------------------------------------
 * VERSIONING
 *   The host exports VIGIL_ABI_MAJOR / VIGIL_ABI_MINOR of the header it was
 *   built with. A plugin exports exactly one symbol, vigil_plugin_entry, which
 *   receives the host's versions and returns a static vigil_plugin_info naming
 *   the major it was built for and the minimum minor it needs.
 *     - different major                      -> refused (message names both)
 *     - plugin needs a newer minor than host  -> refused
 *     - plugin built for an older minor      -> loaded
 *   Structs are append-only within a major. Every struct that crosses starts
 *   with `uint32_t struct_size`; a reader uses only the fields its peer's size
 *   covers and treats the rest as zero (see VIGIL_HAS_FIELD).
 *
 * OWNERSHIP
 *   - Inputs (pointers passed to a callee) are borrowed for the duration of the
 *     call only. Copy what you keep.
 *   - Strings a plugin returns (last_error) stay valid until the next call on
 *     the same plugin instance.
 *   - vigil_plugin_info and the function table it points to are static data of
 *     the plugin and must stay valid while the process lives.
 *   - Whoever allocates frees; nothing is freed across the boundary.
 *
 * THREADING
 *   - Lifecycle calls (create, start, stop, reconfigure, destroy) come from the
 *     host's control thread, never concurrently with each other for one
 *     instance.
 *   - Every plugin instance has one *executor* thread owned by the host. Command
 *     handlers, timer callbacks and work handed over with host->post() run
 *     there, one at a time, in order.
 *   - Each subscription has its own delivery thread; its callback is never
 *     called concurrently with itself, but may run concurrently with other
 *     subscriptions and with the executor.
 *   - Every host service in vigil_host_api may be called from any thread, at
 *     any time between create() and the return of destroy(). After stop()
 *     returns the host stops delivering to the plugin.
 *   - Host services never call back into the plugin synchronously (a callback
 *     always runs on a host thread), so a plugin may hold its own locks while
 *     calling them.
 *
 * LIFETIME
 *   The host never unloads plugin code while the process lives (the library is
 *   kept mapped). Changed settings arrive through reconfigure(); an upgrade
 *   restarts the daemon.
 *
 * ERRORS
 *   Functions return vigil_status: VIGIL_OK (0) or a negative VIGIL_E* code.
 *   A plugin function that fails should make last_error() describe why. No C++
 *   exception, longjmp or signal may cross the boundary.
 * ----------------------------------------------------------------------------
 */
#ifndef VIGIL_PLUGIN_H
#define VIGIL_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_ABI_MAJOR 1
#define VIGIL_ABI_MINOR 0

#if defined(__GNUC__)
#define VIGIL_EXPORT __attribute__((visibility("default")))
#else
#define VIGIL_EXPORT
#endif

/* Name of the single symbol every plugin exports. */
#define VIGIL_PLUGIN_ENTRY_SYMBOL "vigil_plugin_entry"

/* True when a struct whose first field is struct_size covers `field`. */
#define VIGIL_HAS_FIELD(ptr, type, field) \
    ((ptr) != NULL && (ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

typedef int32_t vigil_status;
enum {
    VIGIL_OK = 0,
    VIGIL_EINVAL = -1,      /* bad argument */
    VIGIL_ENOTFOUND = -2,   /* no such command / plugin / subscription */
    VIGIL_ETIMEDOUT = -3,   /* deadline passed before a reply */
    VIGIL_EDISABLED = -4,   /* target plugin is disabled or not running */
    VIGIL_EEXIST = -5,      /* already registered */
    VIGIL_ESTATE = -6,      /* call not allowed in the current state */
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
    uint32_t queue_capacity;  /* 0 = host default (65536) */
    uint32_t overflow_policy; /* vigil_overflow_policy */
    uint32_t reserved;
} vigil_subscribe_options;

/* Message callback. `msg` and everything it points to is borrowed. */
typedef void (*vigil_message_cb)(void* user, const struct vigil_message* msg);

/* Command handler. `command` is a VIGIL_TYPE_COMMAND message (borrowed). The
 * handler must answer it exactly once with host->reply(), now or later, from
 * any thread, passing command->correlation_id. */
typedef void (*vigil_command_cb)(void* user, const struct vigil_message* command);

/* Reply to a command this plugin sent: called exactly once, with a
 * VIGIL_TYPE_COMMAND_RESULT message (a result, an error, or a timeout error
 * produced by the bus). Runs on the sender's executor thread. */
typedef void (*vigil_reply_cb)(void* user, const struct vigil_message* result);

typedef void (*vigil_task_cb)(void* user);

/* Receives a borrowed string. */
typedef void (*vigil_string_cb)(void* user, const char* data, uint32_t len);

typedef struct vigil_agent_identity {
    uint32_t struct_size;
    const char* agent_id;     /* persistent UUID, kept in the state directory */
    const char* hostname;
    const char* agent_version;
} vigil_agent_identity;

typedef struct vigil_host_api {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    uint32_t reserved;

    /* --- logging --- */
    void (*log)(vigil_host_handle* h, int32_t level, const char* msg, uint32_t len);

    /* --- bus --- */
    /* Publishes a message. The host copies envelope and payload; source,
     * sequence and timestamp (when 0) are filled in by the host. */
    vigil_status (*publish)(vigil_host_handle* h, const struct vigil_message* msg);

    /* Subscribes to one message type (VIGIL_TYPE_ANY for every type). Returns a
     * subscription id > 0 in *out_id. options may be NULL (host defaults). */
    vigil_status (*subscribe)(vigil_host_handle* h, uint32_t type_id,
                              const vigil_subscribe_options* options, vigil_message_cb cb,
                              void* user, uint64_t* out_id);
    vigil_status (*unsubscribe)(vigil_host_handle* h, uint64_t subscription_id);

    /* Registers a custom message type by name ("vendor.thing"); the same name
     * always yields the same id within a process. Ids are >= VIGIL_TYPE_CUSTOM_BASE. */
    vigil_status (*register_type)(vigil_host_handle* h, const char* name, uint32_t name_len,
                                  uint32_t* out_type_id);

    /* --- commands (request/reply) --- */
    /* Registers a handler for command `name`. Command names are namespaced by
     * plugin: "<plugin>.<verb>" (the host refuses other prefixes), which is how
     * the bus can answer "plugin X is disabled" for a plugin that never loaded. */
    vigil_status (*register_command)(vigil_host_handle* h, const char* name, uint32_t name_len,
                                     vigil_command_cb cb, void* user);

    /* Sends command `name` with JSON arguments; `cb` is called exactly once
     * with the result, an error, or a timeout error after timeout_ms (0 = 30 s).
     * *out_correlation_id (may be NULL) receives the command's correlation id. */
    vigil_status (*send_command)(vigil_host_handle* h, const char* name, uint32_t name_len,
                                 const char* args_json, uint32_t args_len, uint32_t timeout_ms,
                                 vigil_reply_cb cb, void* user, uint64_t* out_correlation_id);

    /* Answers a command received by a handler. status is VIGIL_OK or a
     * negative code; result_json is the result (or NULL), error a human message
     * (or NULL). A second reply, or one after the deadline, returns
     * VIGIL_ESTATE and is counted. */
    vigil_status (*reply)(vigil_host_handle* h, uint64_t correlation_id, vigil_status status,
                          const char* result_json, uint32_t result_len, const char* error,
                          uint32_t error_len);

    /* --- metrics (names are per plugin; exported as vigil_<plugin>_<name>) --- */
    void (*counter_add)(vigil_host_handle* h, const char* name, uint32_t name_len, uint64_t delta);
    void (*gauge_set)(vigil_host_handle* h, const char* name, uint32_t name_len, int64_t value);

    /* --- timers and the executor --- */
    /* Calls cb on the executor after interval_ms, then every interval_ms when
     * repeat != 0. */
    vigil_status (*timer_start)(vigil_host_handle* h, uint32_t interval_ms, int32_t repeat,
                                vigil_task_cb cb, void* user, uint64_t* out_timer_id);
    vigil_status (*timer_cancel)(vigil_host_handle* h, uint64_t timer_id);
    /* Runs cb once on the plugin's executor thread, as soon as possible. */
    vigil_status (*post)(vigil_host_handle* h, vigil_task_cb cb, void* user);

    /* --- configuration and identity --- */
    /* The plugin's settings (its YAML section, without `enabled`) as JSON. The
     * pointer stays valid until the next reconfigure() or destroy(). */
    const char* (*config_json)(vigil_host_handle* h, uint32_t* out_len);
    /* The `agent:` section as JSON (proxy, log level, ...), same lifetime. */
    const char* (*agent_config_json)(vigil_host_handle* h, uint32_t* out_len);
    /* A directory owned by this plugin (created, mode 0700), valid for life. */
    const char* (*state_dir)(vigil_host_handle* h);
    vigil_status (*agent_identity)(vigil_host_handle* h, vigil_agent_identity* out);

    /* Publishes this plugin's status as a JSON object; shown by
     * `vigilctl status` and included in host_status(). The host copies it. */
    void (*set_status_json)(vigil_host_handle* h, const char* json, uint32_t len);

    /* Calls cb synchronously with a JSON snapshot of the host: version, uptime,
     * each plugin's state, counters and status JSON. */
    void (*host_status_json)(vigil_host_handle* h, vigil_string_cb cb, void* user);
} vigil_host_api;

/* ---------------------------- plugin functions --------------------------- */

typedef struct vigil_plugin_api {
    uint32_t struct_size;
    uint32_t reserved;

    /* Creates an instance. `host` and `h` stay valid until destroy() returns.
     * The settings are available through host->config_json(h). On failure
     * return a non-OK status; *out_state may still be set so that
     * last_error(state) can explain, after which destroy(state) is called. */
    vigil_status (*create)(const vigil_host_api* host, vigil_host_handle* h,
                           vigil_plugin_state** out_state);
    /* Begins work (threads, sensors, sockets). */
    vigil_status (*start)(vigil_plugin_state* state);
    /* Ends work; must return within a few seconds. Required. */
    vigil_status (*stop)(vigil_plugin_state* state);
    /* Optional (may be NULL): apply changed settings while running; the new
     * settings are already available through host->config_json(). When NULL or
     * failing, the host restarts the instance (stop, destroy, create, start). */
    vigil_status (*reconfigure)(vigil_plugin_state* state);
    /* Frees the instance. */
    void (*destroy)(vigil_plugin_state* state);
    /* Describes the last failure of this instance (state may be NULL after a
     * failed create without a state). Optional. */
    const char* (*last_error)(vigil_plugin_state* state);
} vigil_plugin_api;

typedef struct vigil_host_info {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    uint32_t reserved;
    const char* host_version;
} vigil_host_info;

typedef struct vigil_plugin_info {
    uint32_t struct_size;
    uint32_t abi_major;          /* major the plugin was built for */
    uint32_t abi_min_minor;      /* oldest host minor the plugin works with */
    uint32_t abi_built_minor;    /* minor of the header the plugin was built with */
    const char* name;            /* must equal the configured plugin name */
    const char* version;
    const char* description;
    /* Comma-separated names of plugins that must be enabled and running first
     * (e.g. "behavior"), or NULL. */
    const char* requires_plugins;
    /* JSON Schema (draft 4) for the plugin's settings, or NULL. Validated by
     * the host before create(). */
    const char* config_schema;
    const vigil_plugin_api* api;
} vigil_plugin_info;

/*
 * The one exported entry point. Returns static info, or NULL to decline the
 * host (e.g. when a plugin refuses a host feature level). Must not call host
 * services and must be cheap: the host may call it to inspect a plugin.
 */
typedef const vigil_plugin_info* (*vigil_plugin_entry_fn)(const vigil_host_info* host);

#define VIGIL_DECLARE_PLUGIN_ENTRY \
    VIGIL_EXPORT const vigil_plugin_info* vigil_plugin_entry(const vigil_host_info* host)

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_PLUGIN_H */
