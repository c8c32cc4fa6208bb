// How vigild's allocator is set up before its first thread starts.
#pragma once

namespace vigil::core {

// glibc gives each thread that allocates its own malloc arena, up to 8 per CPU (16 on
// two CPUs, and vigild runs some 35 threads with every plugin). Each arena keeps its
// own free holes after a burst of events, which malloc_trim cannot give back while a
// live block sits above them: measured with `vigil-bench agent-memory`, the arenas
// held 8.6 MiB at idle and grew by 6.9 MiB under load. The agent's threads mostly
// wait; a few arenas shared between them cost little contention.
inline constexpr int kAgentMallocArenas = 2;

// True when the operator chose the arena count: MALLOC_ARENA_MAX, or
// glibc.malloc.arena_max in GLIBC_TUNABLES (either may be null).
bool environment_sets_malloc_arenas(const char* malloc_arena_max, const char* glibc_tunables);

// Caps the arenas at kAgentMallocArenas unless the environment chose a count. Call
// while the process has one thread (arenas made before stay). Returns the cap set,
// or 0 when it was left to the environment.
int limit_malloc_arenas();

}  // namespace vigil::core
