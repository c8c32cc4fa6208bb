#include "settings.hpp"

namespace behavior {

// Keep in sync with parse_settings() and README.md.
const char* const kSettingsSchema = R"JSON({
  "$schema": "http://json-schema.org/draft-04/schema#",
  "type": "object",
  "properties": {
    "sensor": { "enum": ["auto", "ebpf", "netlink"] },
    "mode": { "enum": ["notify", "block"] },
    "process_events": { "type": "boolean" },
    "network_events": { "type": "boolean" },
    "file_events": { "type": "boolean" },
    "file_watch_paths": { "type": ["array", "string"], "items": { "type": "string", "pattern": "^/" } },
    "file_exclude_paths": { "type": ["array", "string"], "items": { "type": "string", "pattern": "^/" } },
    "sock_diag_interval_ms": { "type": "integer", "minimum": 50, "maximum": 60000 },
    "ring_buffer_kib": { "type": "integer", "minimum": 256, "maximum": 1048576 },
    "hash_executables": { "type": "boolean" },
    "hash_max_bytes": { "type": "integer", "minimum": 0 },
    "hash_cache_entries": { "type": "integer", "minimum": 16, "maximum": 4194304 },
    "hash_wait_ms": { "type": "integer", "minimum": 0, "maximum": 10000 },
    "hash_timeout_ms": { "type": "integer", "minimum": 100, "maximum": 600000 },
    "hash_workers": { "type": "integer", "minimum": 1, "maximum": 16 },
    "process_table_max": { "type": "integer", "minimum": 1024, "maximum": 4194304 },
    "exited_process_retention": { "type": "integer", "minimum": 16, "maximum": 1048576 },
    "status_interval_ms": { "type": "integer", "minimum": 100, "maximum": 600000 },
    "detection": { "type": "boolean" },
    "builtin_rules": { "type": "boolean" },
    "rules_dirs": { "type": ["array", "string"], "items": { "type": "string", "pattern": "^/" } },
    "trusted_programs": {
      "type": "array",
      "items": {
        "oneOf": [
          { "type": "string", "minLength": 1 },
          { "type": "object",
            "properties": { "path": { "type": "string", "minLength": 1 }, "descendants": { "type": "boolean" } },
            "required": ["path"], "additionalProperties": false }
        ]
      }
    }
  },
  "additionalProperties": false
})JSON";

}  // namespace behavior
