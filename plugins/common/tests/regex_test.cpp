#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "vigil/common/regex.hpp"

using namespace vigil::common;

TEST_CASE("regex: unanchored search with flags") {
    CHECK(Regex("b+c").search("aabbbcd"));
    CHECK_FALSE(Regex("^b").search("abc"));
    CHECK(Regex("ABC", {.caseless = true}).search("xabcx"));
    CHECK(Regex("^two$", {.multiline = true}).search("one\ntwo\nthree"));
    CHECK_FALSE(Regex("a.b").search("a\nb"));
    CHECK(Regex("a.b", {.dotall = true}).search("a\nb"));
}

TEST_CASE("regex: a bad pattern names the offset") {
    try {
        Regex r("ab(c");
        FAIL("compiled");
    } catch (const RegexError& e) {
        CHECK(e.offset() == 4);
        CHECK(e.message().find("parenthes") != std::string::npos);
    }
}

TEST_CASE("regex: invalid UTF-8 subjects") {
    const std::string bad = "tool \xff\xfe --quiet";
    CHECK(Regex("--quiet").search(bad));
    CHECK_FALSE(Regex("--quiet", {.match_invalid_utf = false}).search(bad));
}

TEST_CASE("regex: catastrophic backtracking ends at the limit, fast, and is counted") {
    // (a+)+$ against "aaaa...!" is exponential without a limit.
    Regex r("(a+)+$", {.match_limit = 10000, .depth_limit = 1000});
    const std::string subject = std::string(40, 'a') + "!";
    uint64_t before = regex_limit_hits();
    auto t0 = std::chrono::steady_clock::now();
    CHECK(r.search_result(subject) == Regex::Result::limit_exceeded);
    CHECK_FALSE(r.search(subject));
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    CHECK(regex_limit_hits() >= before + 2);
    MESSAGE("two limited searches took " << ms << " ms");
    // A subject that matches quickly is unaffected by the limit.
    CHECK(r.search(std::string(40, 'a')));
}

TEST_CASE("regex: shared between threads") {
    Regex r("needle\\d+");
    std::vector<std::thread> ts;
    std::atomic<int> hits{0};
    for (int t = 0; t < 4; ++t)
        ts.emplace_back([&] {
            for (int i = 0; i < 2000; ++i)
                if (r.search("hay needle" + std::to_string(i) + " hay")) ++hits;
        });
    for (auto& t : ts) t.join();
    CHECK(hits == 8000);
}
