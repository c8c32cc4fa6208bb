/*
 * The layout of every struct of the plugin ABI (plugin.h, events.h), locked
 * for each released minor of major 1. Compiling this file is the test: a
 * field that moves or changes size, or a struct that grows in the middle,
 * fails the build. Built twice: against sdk/include (every minor) and, with
 * VIGIL_LAYOUT_FROZEN_1_0, against the frozen 1.0 headers in tests/abi/v1_0.
 *
 * Append-only: a new field goes at the end of its struct, in a new minor,
 * with a new block below (FIELD lines plus APPENDED). Never change a number
 * to make a build pass — that would break every plugin built before.
 * The numbers are for LP64 targets (x86_64, aarch64).
 */
#include <stddef.h>
#include <vigil/events.h>
#include <vigil/plugin.h>

_Static_assert(sizeof(void*) == 8 && sizeof(long) == 8, "the layout numbers below are for LP64 targets");

#define FIELD(T, f, off, size) \
    _Static_assert(offsetof(T, f) == (off) && sizeof(((T*)0)->f) == (size), #T "." #f " moved or changed size")
/* A field of a newer minor starts at or after the end of the struct as it was. */
#define APPENDED(T, f, older_size) _Static_assert(offsetof(T, f) >= (older_size), #T "." #f " is not appended")
#define SIZE(T, n) _Static_assert(sizeof(T) == (n), "sizeof(" #T ") changed")

/* ------------------------------------------------ 1.0 (released in 077b3f6) */
FIELD(vigil_subscribe_options, struct_size, 0, 4);
FIELD(vigil_subscribe_options, queue_capacity, 4, 4);
FIELD(vigil_subscribe_options, overflow_policy, 8, 4);
FIELD(vigil_subscribe_options, reserved, 12, 4);
FIELD(vigil_agent_identity, struct_size, 0, 4);
FIELD(vigil_agent_identity, agent_id, 8, 8);
FIELD(vigil_agent_identity, hostname, 16, 8);
FIELD(vigil_agent_identity, agent_version, 24, 8);
FIELD(vigil_host_api, struct_size, 0, 4);
FIELD(vigil_host_api, abi_major, 4, 4);
FIELD(vigil_host_api, abi_minor, 8, 4);
FIELD(vigil_host_api, reserved, 12, 4);
FIELD(vigil_host_api, log, 16, 8);
FIELD(vigil_host_api, publish, 24, 8);
FIELD(vigil_host_api, subscribe, 32, 8);
FIELD(vigil_host_api, unsubscribe, 40, 8);
FIELD(vigil_host_api, register_type, 48, 8);
FIELD(vigil_host_api, register_command, 56, 8);
FIELD(vigil_host_api, send_command, 64, 8);
FIELD(vigil_host_api, reply, 72, 8);
FIELD(vigil_host_api, counter_add, 80, 8);
FIELD(vigil_host_api, gauge_set, 88, 8);
FIELD(vigil_host_api, timer_start, 96, 8);
FIELD(vigil_host_api, timer_cancel, 104, 8);
FIELD(vigil_host_api, post, 112, 8);
FIELD(vigil_host_api, config_json, 120, 8);
FIELD(vigil_host_api, agent_config_json, 128, 8);
FIELD(vigil_host_api, state_dir, 136, 8);
FIELD(vigil_host_api, agent_identity, 144, 8);
FIELD(vigil_host_api, set_status_json, 152, 8);
FIELD(vigil_host_api, host_status_json, 160, 8);
FIELD(vigil_plugin_api, struct_size, 0, 4);
FIELD(vigil_plugin_api, reserved, 4, 4);
FIELD(vigil_plugin_api, create, 8, 8);
FIELD(vigil_plugin_api, start, 16, 8);
FIELD(vigil_plugin_api, stop, 24, 8);
FIELD(vigil_plugin_api, reconfigure, 32, 8);
FIELD(vigil_plugin_api, destroy, 40, 8);
FIELD(vigil_plugin_api, last_error, 48, 8);
FIELD(vigil_host_info, struct_size, 0, 4);
FIELD(vigil_host_info, abi_major, 4, 4);
FIELD(vigil_host_info, abi_minor, 8, 4);
FIELD(vigil_host_info, reserved, 12, 4);
FIELD(vigil_host_info, host_version, 16, 8);
FIELD(vigil_plugin_info, struct_size, 0, 4);
FIELD(vigil_plugin_info, abi_major, 4, 4);
FIELD(vigil_plugin_info, abi_min_minor, 8, 4);
FIELD(vigil_plugin_info, abi_built_minor, 12, 4);
FIELD(vigil_plugin_info, name, 16, 8);
FIELD(vigil_plugin_info, version, 24, 8);
FIELD(vigil_plugin_info, description, 32, 8);
FIELD(vigil_plugin_info, requires_plugins, 40, 8);
FIELD(vigil_plugin_info, config_schema, 48, 8);
FIELD(vigil_plugin_info, api, 56, 8);
FIELD(vigil_message, struct_size, 0, 4);
FIELD(vigil_message, type_id, 4, 4);
FIELD(vigil_message, schema_version, 8, 2);
FIELD(vigil_message, flags, 10, 2);
FIELD(vigil_message, payload_size, 12, 4);
FIELD(vigil_message, sequence, 16, 8);
FIELD(vigil_message, timestamp_ns, 24, 8);
FIELD(vigil_message, correlation_id, 32, 8);
FIELD(vigil_message, source, 40, 8);
FIELD(vigil_message, source_len, 48, 4);
FIELD(vigil_message, reserved, 52, 4);
FIELD(vigil_message, payload, 56, 8);
FIELD(vigil_sref, off, 0, 4);
FIELD(vigil_sref, len, 4, 4);
FIELD(vigil_process_ctx, struct_size, 0, 4);
FIELD(vigil_process_ctx, flags, 4, 4);
FIELD(vigil_process_ctx, pid, 8, 4);
FIELD(vigil_process_ctx, ppid, 12, 4);
FIELD(vigil_process_ctx, uid, 16, 4);
FIELD(vigil_process_ctx, euid, 20, 4);
FIELD(vigil_process_ctx, gid, 24, 4);
FIELD(vigil_process_ctx, egid, 28, 4);
FIELD(vigil_process_ctx, start_time_ns, 32, 8);
FIELD(vigil_process_ctx, process_key, 40, 8);
FIELD(vigil_process_ctx, mnt_ns, 48, 8);
FIELD(vigil_process_ctx, pid_ns, 56, 8);
FIELD(vigil_process_ctx, net_ns, 64, 8);
FIELD(vigil_process_ctx, user_ns, 72, 8);
FIELD(vigil_process_ctx, argc, 80, 4);
#ifdef VIGIL_LAYOUT_FROZEN_1_0
FIELD(vigil_process_ctx, reserved, 84, 4);
#else
FIELD(vigil_process_ctx, hash_status, 84, 4); /* the 1.0 reserved field, named (same offset, size) */
#endif
FIELD(vigil_process_ctx, exe, 88, 8);
FIELD(vigil_process_ctx, argv, 96, 8);
FIELD(vigil_process_ctx, cmdline, 104, 8);
FIELD(vigil_process_ctx, cwd, 112, 8);
FIELD(vigil_process_ctx, user, 120, 8);
FIELD(vigil_process_ctx, sha256, 128, 8);
FIELD(vigil_process_ctx, parent_exe, 136, 8);
FIELD(vigil_process_ctx, parent_cmdline, 144, 8);
FIELD(vigil_process_ctx, container_id, 152, 8);
FIELD(vigil_process_ctx, tty, 160, 8);
FIELD(vigil_process_ctx, comm, 168, 8);
FIELD(vigil_process_event, struct_size, 0, 4);
FIELD(vigil_process_event, reserved, 4, 4);
FIELD(vigil_process_event, process, 8, 176);
FIELD(vigil_process_event, exit_code, 184, 4);
FIELD(vigil_process_event, exit_signal, 188, 4);
FIELD(vigil_process_event, lifetime_ns, 192, 8);
FIELD(vigil_network_event, struct_size, 0, 4);
FIELD(vigil_network_event, action, 4, 4);
FIELD(vigil_network_event, family, 8, 1);
FIELD(vigil_network_event, protocol, 9, 1);
FIELD(vigil_network_event, local_port, 10, 2);
FIELD(vigil_network_event, remote_port, 12, 2);
FIELD(vigil_network_event, reserved, 14, 2);
FIELD(vigil_network_event, local_addr, 16, 16);
FIELD(vigil_network_event, remote_addr, 32, 16);
FIELD(vigil_network_event, bytes_sent, 48, 8);
FIELD(vigil_network_event, bytes_received, 56, 8);
FIELD(vigil_network_event, process, 64, 176);
FIELD(vigil_network_event, remote_hostname, 240, 8);
FIELD(vigil_file_event, struct_size, 0, 4);
FIELD(vigil_file_event, action, 4, 4);
FIELD(vigil_file_event, mode, 8, 4);
FIELD(vigil_file_event, uid, 12, 4);
FIELD(vigil_file_event, gid, 16, 4);
FIELD(vigil_file_event, reserved, 20, 4);
FIELD(vigil_file_event, size, 24, 8);
FIELD(vigil_file_event, inode, 32, 8);
FIELD(vigil_file_event, device, 40, 8);
FIELD(vigil_file_event, path, 48, 8);
FIELD(vigil_file_event, new_path, 56, 8);
FIELD(vigil_file_event, sha256, 64, 8);
FIELD(vigil_file_event, process, 72, 176);
FIELD(vigil_threat_event, struct_size, 0, 4);
FIELD(vigil_threat_event, severity, 4, 4);
FIELD(vigil_threat_event, threat_id, 8, 8);
FIELD(vigil_threat_event, trigger_sequence, 16, 8);
FIELD(vigil_threat_event, detector, 24, 8);
FIELD(vigil_threat_event, rule_id, 32, 8);
FIELD(vigil_threat_event, title, 40, 8);
FIELD(vigil_threat_event, description, 48, 8);
FIELD(vigil_threat_event, tags, 56, 8);
FIELD(vigil_threat_event, author, 64, 8);
FIELD(vigil_threat_event, object_type, 72, 8);
FIELD(vigil_threat_event, object, 80, 8);
FIELD(vigil_threat_event, sha256, 88, 8);
FIELD(vigil_threat_event, trigger_json, 96, 8);
FIELD(vigil_threat_event, details_json, 104, 8);
FIELD(vigil_threat_event, process, 112, 176);
FIELD(vigil_action_result, struct_size, 0, 4);
FIELD(vigil_action_result, status, 4, 4);
FIELD(vigil_action_result, threat_id, 8, 8);
FIELD(vigil_action_result, correlation_id, 16, 8);
FIELD(vigil_action_result, action, 24, 8);
FIELD(vigil_action_result, object, 32, 8);
FIELD(vigil_action_result, details_json, 40, 8);
FIELD(vigil_action_result, error, 48, 8);
FIELD(vigil_action_result, origin, 56, 8);
FIELD(vigil_command, struct_size, 0, 4);
FIELD(vigil_command, reserved, 4, 4);
FIELD(vigil_command, deadline_ns, 8, 8);
FIELD(vigil_command, name, 16, 8);
FIELD(vigil_command, args_json, 24, 8);
FIELD(vigil_command, origin, 32, 8);
FIELD(vigil_command_result, struct_size, 0, 4);
FIELD(vigil_command_result, status, 4, 4);
FIELD(vigil_command_result, name, 8, 8);
FIELD(vigil_command_result, result_json, 16, 8);
FIELD(vigil_command_result, error, 24, 8);
FIELD(vigil_plugin_status, struct_size, 0, 4);
FIELD(vigil_plugin_status, state, 4, 4);
FIELD(vigil_plugin_status, plugin, 8, 8);
FIELD(vigil_plugin_status, message, 16, 8);
FIELD(vigil_plugin_status, status_json, 24, 8);
FIELD(vigil_builder, buf, 0, 8);
FIELD(vigil_builder, cap, 8, 4);
FIELD(vigil_builder, used, 12, 4);
FIELD(vigil_builder, overflow, 16, 4);

#ifdef VIGIL_LAYOUT_FROZEN_1_0
/* The struct sizes as released in 1.0 (what a 1.0 plugin puts in struct_size). */
SIZE(vigil_subscribe_options, 16);
SIZE(vigil_agent_identity, 32);
SIZE(vigil_host_api, 168);
SIZE(vigil_plugin_api, 56);
SIZE(vigil_host_info, 24);
SIZE(vigil_plugin_info, 64);
SIZE(vigil_message, 64);
SIZE(vigil_sref, 8);
SIZE(vigil_process_ctx, 176);
SIZE(vigil_process_event, 200);
SIZE(vigil_network_event, 248);
SIZE(vigil_file_event, 248);
SIZE(vigil_threat_event, 288);
SIZE(vigil_action_result, 64);
SIZE(vigil_command, 40);
SIZE(vigil_command_result, 32);
SIZE(vigil_plugin_status, 32);
SIZE(vigil_builder, 24);
#else

/* ------------------------------------------------ 1.1 */
APPENDED(vigil_host_api, quarantine_put, 168);
FIELD(vigil_host_api, quarantine_put, 168, 8);
APPENDED(vigil_plugin_info, license, 64);
FIELD(vigil_plugin_info, license, 64, 8);
APPENDED(vigil_plugin_info, homepage, 64);
FIELD(vigil_plugin_info, homepage, 72, 8);

/* ------------------------------------------------ 1.2 */
APPENDED(vigil_host_api, send_command_as, 176);
FIELD(vigil_host_api, send_command_as, 176, 8);

/* ------------------------------------------------ 1.3 */
APPENDED(vigil_host_api, quarantine_put_at, 184);
FIELD(vigil_host_api, quarantine_put_at, 184, 8);
FIELD(vigil_file_identity, struct_size, 0, 4);
FIELD(vigil_file_identity, flags, 4, 4);
FIELD(vigil_file_identity, dev, 8, 8);
FIELD(vigil_file_identity, ino, 16, 8);
FIELD(vigil_file_identity, size, 24, 8);
FIELD(vigil_file_identity, mtime_ns, 32, 8);
FIELD(vigil_file_identity, ctime_ns, 40, 8);
SIZE(vigil_file_identity, 48);
APPENDED(vigil_host_api, agent_settings, 192);
FIELD(vigil_host_api, agent_settings, 192, 8);
FIELD(vigil_agent_settings, struct_size, 0, 4);
FIELD(vigil_agent_settings, plugin_dir_count, 4, 4);
FIELD(vigil_agent_settings, state_dir, 8, 8);
FIELD(vigil_agent_settings, control_socket, 16, 8);
FIELD(vigil_agent_settings, plugin_dirs, 24, 8);
FIELD(vigil_agent_settings, log_level, 32, 8);
FIELD(vigil_agent_settings, proxy_url, 40, 8);
FIELD(vigil_agent_settings, proxy_host, 48, 8);
FIELD(vigil_agent_settings, proxy_username, 56, 8);
FIELD(vigil_agent_settings, proxy_password, 64, 8);
FIELD(vigil_agent_settings, proxy_port, 72, 4);
FIELD(vigil_agent_settings, reserved, 76, 4);
SIZE(vigil_agent_settings, 80);

/* ------------------------------------------------ current sizes */
SIZE(vigil_subscribe_options, 16);
SIZE(vigil_agent_identity, 32);
SIZE(vigil_host_api, 200);
SIZE(vigil_plugin_api, 56);
SIZE(vigil_host_info, 24);
SIZE(vigil_plugin_info, 80);
SIZE(vigil_message, 64);
SIZE(vigil_sref, 8);
SIZE(vigil_process_ctx, 176);
SIZE(vigil_process_event, 200);
SIZE(vigil_network_event, 248);
SIZE(vigil_file_event, 248);
SIZE(vigil_threat_event, 288);
SIZE(vigil_action_result, 64);
SIZE(vigil_command, 40);
SIZE(vigil_command_result, 32);
SIZE(vigil_plugin_status, 32);
SIZE(vigil_builder, 24);
#endif

int main(void) { return 0; }
