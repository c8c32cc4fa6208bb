// MemoryTrimmer hands freed heap back to the system once enough of it is held, and only then.
#include "memory_trimmer.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

using namespace vigil::central;
using namespace std::chrono_literals;

namespace {
constexpr uint64_t MiB = 1ull << 20;
// The tests drive look() themselves: the thread of these trimmers never looks on its own.
constexpr auto never = std::chrono::hours(24);
// Sanitizers bring their own allocator: there is no glibc arena to measure or trim.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool glibc_allocator = false;
#else
constexpr bool glibc_allocator = true;
#endif

uint64_t resident() {
    FILE* f = std::fopen("/proc/self/statm", "re");
    REQUIRE(f);
    unsigned long long size = 0, pages = 0;
    REQUIRE(std::fscanf(f, "%llu %llu", &size, &pages) == 2);
    std::fclose(f);
    return pages * 4096ull;
}

// Frees `mib` MiB of 32 KiB blocks (below the mmap threshold, as parsed batches and TLS
// buffers are) while the returned block, allocated last, stays: it sits at the heap's top,
// so free() cannot shrink the heap on its own and only malloc_trim gives the pages back.
std::unique_ptr<char[]> free_a_burst(int mib) {
    std::vector<std::unique_ptr<char[]>> blocks;
    for (int i = 0; i < mib * 32; ++i) {
        blocks.emplace_back(new char[32 * 1024]);
        std::memset(blocks.back().get(), 0x5a, 32 * 1024);
    }
    return std::move(blocks.back());
}
}  // namespace

TEST_CASE("no trim while the allocator holds little free memory") {
    MemoryTrimmer trimmer(512 * MiB, never);
    CHECK_FALSE(trimmer.look());
    CHECK(trimmer.trims() == 0);
}

TEST_CASE("after a burst of freed heap, resident memory goes back down" * doctest::skip(!glibc_allocator)) {
    MemoryTrimmer trimmer(16 * MiB, never);
    const uint64_t base = resident();
    auto top = free_a_burst(96);
    const uint64_t before = resident();
    REQUIRE(trimmer.look());
    const uint64_t after = resident();
    INFO("base " << (base >> 20) << " MiB, after the burst " << (before >> 20) << " MiB, after trim "
                 << (after >> 20) << " MiB");
    CHECK(before > base + 64 * MiB);
    CHECK(after < base + 32 * MiB);
    CHECK_FALSE(trimmer.look());  // nothing left to give back
}

TEST_CASE("the thread looks on its own each period and stops on destruction" * doctest::skip(!glibc_allocator)) {
    auto trimmer = std::make_unique<MemoryTrimmer>(16 * MiB, 20ms);
    auto top = free_a_burst(48);
    for (int i = 0; i < 250 && trimmer->trims() == 0; ++i) std::this_thread::sleep_for(20ms);
    CHECK(trimmer->trims() >= 1);
    trimmer.reset();
}
