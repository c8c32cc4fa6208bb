#include "malloc_policy.hpp"

#include <malloc.h>

#include <cstdlib>
#include <string_view>

namespace vigil::core {

bool environment_sets_malloc_arenas(const char* malloc_arena_max, const char* glibc_tunables) {
    if (malloc_arena_max != nullptr && *malloc_arena_max != '\0') return true;
    if (glibc_tunables == nullptr) return false;
    // GLIBC_TUNABLES is name=value pairs separated by ':'.
    std::string_view t(glibc_tunables);
    for (size_t start = 0; start <= t.size();) {
        size_t end = t.find(':', start);
        if (end == std::string_view::npos) end = t.size();
        if (t.substr(start, end - start).starts_with("glibc.malloc.arena_max=")) return true;
        start = end + 1;
    }
    return false;
}

int limit_malloc_arenas() {
    if (environment_sets_malloc_arenas(std::getenv("MALLOC_ARENA_MAX"), std::getenv("GLIBC_TUNABLES"))) return 0;
    return ::mallopt(M_ARENA_MAX, kAgentMallocArenas) == 1 ? kAgentMallocArenas : 0;
}

}  // namespace vigil::core
