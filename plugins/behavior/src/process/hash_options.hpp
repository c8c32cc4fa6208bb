// How executables are hashed and how long an event waits for its process
// context: the hash_* settings, passed unchanged to the telemetry pipeline.
#pragma once

#include <cstdint>

namespace vigil::behavior {

struct HashOptions {
    bool hash_executables = true;
    uint64_t hash_max_bytes = 64ull << 20;
    uint32_t hash_cache_entries = 4096;
    uint32_t hash_wait_ms = 200;      // an event waits at most this long for its hash / argv
    uint32_t hash_timeout_ms = 5000;  // reading one executable may take at most this long
    uint32_t hash_workers = 2;
    bool operator==(const HashOptions&) const = default;
};

}  // namespace vigil::behavior
