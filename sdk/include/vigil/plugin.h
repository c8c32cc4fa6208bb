/*
 * Vigil plugin ABI — the contract between the vigild host and a plugin.
 *
 * This header is pure C (C99) so that a plugin can be written in C, C++ or any
 * language with a C FFI. Everything that crosses the boundary is a fixed-width
 * integer, a pointer + length, or a struct that starts with its own size.
 * The general rules come first; every function then states its own contract
 * (the host services in host_api.h, which this header includes):
 *   Required  whether the pointer may be NULL (plugin functions) / always set
 *   When      in which lifecycle phase it may be called
 *   Thread    which thread calls it, or from which threads it may be called
 *   Returns   what each status code means for this function
 *   Limits    sizes the host enforces
 *   Lifetime  how long each pointer argument and result stays valid
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
 *   covers and treats the rest as zero (see VIGIL_HAS_FIELD). A plugin calls a
 *   host service added after its abi_min_minor only when
 *   VIGIL_HAS_FIELD(host, vigil_host_api, that_service) is true.
 *   tests/abi/layout_v1.c asserts the offset and size of every field of every
 *   struct in this file, host_api.h and events.h for each released minor.
 *
 * STRINGS
 *   A string is a pointer + a uint32_t length in bytes, never NUL-terminated
 *   unless stated. The pointer may be NULL only when the length is 0. Strings
 *   are bytes, not necessarily valid UTF-8: paths, command lines and process
 *   output are whatever the kernel holds. Exceptions, which must be UTF-8:
 *   plugin, type and command names (ASCII), JSON text (settings, arguments,
 *   results, status, details). Strings the host returns as `const char*` are
 *   NUL-terminated.
 *
 * LIMITS (the host refuses larger input with VIGIL_EINVAL)
 *   payload of a message ............ VIGIL_MAX_PAYLOAD bytes (16 MiB)
 *   custom type name ................ VIGIL_MAX_TYPE_NAME bytes (128)
 *   origin of send_command_as ....... VIGIL_MAX_ORIGIN bytes (256)
 *   last_error() text ............... shown up to VIGIL_MAX_ERRLEN bytes (1024)
 *   Status JSON and command results have no fixed limit; keep status small
 *   (it is sent in every heartbeat) and results under the payload limit.
 *
 * OWNERSHIP
 *   - Inputs (pointers passed to a callee) are borrowed for the duration of the
 *     call only. Copy what you keep.
 *   - Strings a plugin returns (last_error) stay valid until the next call on
 *     the same plugin instance.
 *   - vigil_plugin_info and the function table it points to are static data of
 *     the plugin and must stay valid while the process lives.
 *   - Whoever allocates frees; nothing is freed across the boundary.
 *   - A `user` pointer given with a callback is the plugin's; the host only
 *     passes it back. Each service says until when the host may still use it.
 *
 * THREADING
 *   - Lifecycle calls (create, start, stop, reconfigure, destroy) come from the
 *     host's control thread, never concurrently with each other for one
 *     instance.
 *   - Every plugin instance has one *executor* thread owned by the host. Command
 *     handlers, timer callbacks, work handed over with host->post() and replies
 *     to commands the plugin sent run there, one at a time, in order.
 *   - Each subscription has its own delivery thread; its callback is never
 *     called concurrently with itself, but may run concurrently with other
 *     subscriptions and with the executor.
 *   - Every host service in vigil_host_api may be called from any thread, at
 *     any time between create() and the return of destroy(), unless its
 *     contract narrows that. Subscriptions, commands and timers made in
 *     create() deliver nothing until start() has returned. The executor stops
 *     before stop() is called: from then on timer_start and post return
 *     VIGIL_ESTATE and queued executor work is discarded.
 *   - Host services never call back into the plugin synchronously (a callback
 *     always runs on a host thread; host_status_json and quarantine_put call
 *     their string callback before returning, on the caller's thread), so a
 *     plugin may hold its own locks while calling them.
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

#include "host_api.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------- plugin functions --------------------------- */

typedef struct vigil_plugin_api {
    uint32_t struct_size;
    uint32_t reserved;

    /* Creates an instance: parse settings, register commands, subscribe.
     *  Required: yes.   Thread: the host's control thread.
     *  When:     once per instance, first; again after destroy() for a restart.
     *  Returns:  VIGIL_OK with *out_state set; any error refuses the plugin
     *            ("create failed (code): last_error") and the host keeps
     *            running. *out_state may still be set on failure so that
     *            last_error(state) can explain; destroy(state) follows.
     *  Lifetime: `host` and `h` stay valid until destroy() returns. */
    vigil_status (*create)(const vigil_host_api* host, vigil_host_handle* h,
                           vigil_plugin_state** out_state);
    /* Begins work (threads, sensors, sockets). Deliveries, commands and timers
     * start after it returns.
     *  Required: no (NULL = nothing to start).   Thread: control thread.
     *  Returns:  VIGIL_OK; an error fails the plugin: the host calls stop(),
     *            then destroy(). */
    vigil_status (*start)(vigil_plugin_state* state);
    /* Ends work: join your threads, stop your sensors. Called after the host
     * has stopped the executor and drained subscriptions (bounded).
     *  Required: yes.   Thread: control thread.
     *  Limits:   must return within a few seconds; on SIGTERM the daemon exits
     *            after agent.stop_timeout_s whatever plugins do.
     *  Returns:  VIGIL_OK; an error is logged, the instance still counts as
     *            stopped. */
    vigil_status (*stop)(vigil_plugin_state* state);
    /* Applies changed settings while running; host->config_json() already
     * returns the new, validated and defaulted settings.
     *  Required: no (NULL = restart the instance: stop, destroy, create, start).
     *  Thread:   control thread, between start() and stop().
     *  Returns:  VIGIL_OK (applied in place); any error makes the host restart
     *            the instance instead. */
    vigil_status (*reconfigure)(vigil_plugin_state* state);
    /* Frees the instance. After it returns the host never calls the plugin
     * with this state again, and no host callback with this instance's `user`
     * pointers runs any more.
     *  Required: yes.   Thread: control thread.   Cannot fail. */
    void (*destroy)(vigil_plugin_state* state);
    /* Describes the last failure of this instance; state may be NULL after a
     * failed create that set no state.
     *  Required: no.   Thread: control thread.
     *  Returns:  NUL-terminated text (UTF-8; shown up to VIGIL_MAX_ERRLEN
     *            bytes) or NULL, valid until the next call on the instance. */
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
     * the host before create() and on every reload; the host then fills in the
     * `default` of every property the settings leave out (nested objects
     * included), so create() and reconfigure() can rely on well-formed,
     * complete settings. Give every property a `default` and a `description`. */
    const char* config_schema;
    const vigil_plugin_api* api;
    /* since 1.1 */
    const char* license;         /* SPDX identifier, e.g. "Apache-2.0", or NULL */
    const char* homepage;        /* or NULL */
} vigil_plugin_info;

/*
 * The one exported entry point. Returns static info, or NULL to decline the
 * host (e.g. when a plugin refuses a host feature level).
 *  Required: yes.   Thread: the control thread, possibly several times (the
 *  host may call it to inspect a plugin, e.g. for `--check-config`).
 *  Must not call host services and must be cheap. All strings in the info are
 *  NUL-terminated and static.
 */
typedef const vigil_plugin_info* (*vigil_plugin_entry_fn)(const vigil_host_info* host);

#define VIGIL_DECLARE_PLUGIN_ENTRY \
    VIGIL_EXPORT const vigil_plugin_info* vigil_plugin_entry(const vigil_host_info* host)

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_PLUGIN_H */
