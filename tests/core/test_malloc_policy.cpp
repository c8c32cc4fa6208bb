// vigild caps glibc's malloc arenas (malloc_policy.hpp). Each case runs in a
// forked child of this single-threaded test process, so the child starts with
// the main arena only and the cap (or its absence) is all that decides how
// many arenas eight allocating threads end up with.
#include <doctest/doctest.h>
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "malloc_policy.hpp"

using vigil::core::environment_sets_malloc_arenas;

namespace {

// Under AddressSanitizer malloc is ASan's, not glibc's: there are no glibc arenas to
// cap or count, so the two cases that count them are skipped in the sanitizer build.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kGlibcMalloc = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kGlibcMalloc = false;
#else
constexpr bool kGlibcMalloc = true;
#endif
#else
constexpr bool kGlibcMalloc = true;
#endif

// Arenas in this process, from malloc_info's <heap nr="N"> elements.
int arena_count() {
    char* buf = nullptr;
    size_t len = 0;
    FILE* f = ::open_memstream(&buf, &len);
    ::malloc_info(0, f);
    std::fclose(f);
    int n = 0;
    for (const char* p = buf; (p = std::strstr(p, "<heap nr=")) != nullptr; ++p) ++n;
    std::free(buf);
    return n;
}

// Eight threads alive at once, each allocating: glibc gives each its own arena while
// under the cap. The volatile pointer keeps the compiler from removing malloc/free.
int arenas_after_threads() {
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([] {
            for (int j = 0; j < 1000; ++j) {
                void* volatile p = std::malloc(size_t(64 + j));
                std::free(p);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        });
    for (auto& t : threads) t.join();
    return arena_count();
}

// Runs fn in a child; returns what it returned (its exit status), or -1.
template <class Fn>
int in_child(Fn fn) {
    pid_t pid = ::fork();
    if (pid == 0) _exit(fn());
    int st = 0;
    if (pid < 0 || ::waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) return -1;
    return WEXITSTATUS(st);
}

}  // namespace

TEST_CASE("the arena cap is left to the operator when the environment sets one") {
    struct Case {
        const char* arena_max;
        const char* tunables;
        bool operator_chose;
    };
    const Case cases[] = {
        {nullptr, nullptr, false},
        {"", nullptr, false},
        {"4", nullptr, true},
        {nullptr, "glibc.malloc.arena_max=4", true},
        {nullptr, "glibc.malloc.tcache_count=0:glibc.malloc.arena_max=8", true},
        {nullptr, "glibc.malloc.tcache_count=0", false},
        {nullptr, "glibc.malloc.arena_test=2", false},
        {nullptr, "xglibc.malloc.arena_max=2", false},
    };
    for (const auto& c : cases) {
        INFO("MALLOC_ARENA_MAX=" << (c.arena_max ? c.arena_max : "(unset)")
                                 << " GLIBC_TUNABLES=" << (c.tunables ? c.tunables : "(unset)"));
        CHECK(environment_sets_malloc_arenas(c.arena_max, c.tunables) == c.operator_chose);
    }
}

TEST_CASE("eight allocating threads share at most kAgentMallocArenas arenas under the cap" *
          doctest::skip(!kGlibcMalloc)) {
    REQUIRE(std::getenv("MALLOC_ARENA_MAX") == nullptr);
    const int capped = in_child([] { return vigil::core::limit_malloc_arenas() == 2 ? arenas_after_threads() : 100; });
    CHECK(capped >= 1);
    CHECK(capped <= vigil::core::kAgentMallocArenas);
    // Without the cap the same threads get an arena each: the check above can fail.
    const int uncapped = in_child([] { return arenas_after_threads(); });
    CHECK(uncapped > vigil::core::kAgentMallocArenas);
}

TEST_CASE("MALLOC_ARENA_MAX in the environment wins over the cap" * doctest::skip(!kGlibcMalloc)) {
    const int arenas = in_child([] {
        // glibc read the variable at start; set it now only for limit_malloc_arenas to see.
        ::setenv("MALLOC_ARENA_MAX", "16", 1);
        return vigil::core::limit_malloc_arenas() == 0 ? arenas_after_threads() : 100;
    });
    CHECK(arenas > vigil::core::kAgentMallocArenas);
}
