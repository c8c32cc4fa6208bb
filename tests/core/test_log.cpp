// Daemon log lines: journald priority prefixes, escaping, JSON format, and the
// rate limit that turns a flood into a count.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "log.hpp"
#include "log_limiter.hpp"

using namespace vigil::core;
using Clock = LogRateLimiter::Clock;

TEST_CASE("under journald every line starts with its syslog priority and has no timestamp") {
    CHECK(format_log_line(LogLevel::error, "host", "boom", true, LogFormat::text) == "<3>ERROR [host] boom");
    CHECK(format_log_line(LogLevel::warn, "x", "w", true, LogFormat::text) == "<4>WARN  [x] w");
    CHECK(format_log_line(LogLevel::info, "x", "i", true, LogFormat::text) == "<6>INFO  [x] i");
    CHECK(format_log_line(LogLevel::debug, "x", "d", true, LogFormat::text) == "<7>DEBUG [x] d");
    CHECK(format_log_line(LogLevel::trace, "x", "t", true, LogFormat::text) == "<7>TRACE [x] t");
    // On a terminal: a UTC timestamp, no prefix.
    std::string t = format_log_line(LogLevel::info, "x", "i", false, LogFormat::text);
    CHECK(t.size() > 25);
    CHECK(t[0] == '2');
    CHECK(t.find("Z INFO  [x] i") != std::string::npos);
}

TEST_CASE("a newline in a message cannot start a forged line") {
    std::string l = format_log_line(LogLevel::info, "file", "scanned /tmp/a\n<3>ERROR [host] fake\x01", true,
                                    LogFormat::text);
    CHECK(l.find('\n') == std::string::npos);
    CHECK(l == "<6>INFO  [file] scanned /tmp/a\\n<3>ERROR [host] fake\\x01");
}

TEST_CASE("log_format json writes one parseable object per line, with the prefix under journald") {
    std::string l = format_log_line(LogLevel::warn, "kataedr", "say \"hi\"\n\\", true, LogFormat::json);
    REQUIRE(l.rfind("<4>{", 0) == 0);
    rapidjson::Document d;
    d.Parse(l.c_str() + 3);
    REQUIRE_FALSE(d.HasParseError());
    CHECK(std::string(d["level"].GetString()) == "warn");
    CHECK(std::string(d["component"].GetString()) == "kataedr");
    CHECK(std::string(d["msg"].GetString()) == "say \"hi\"\n\\");
    CHECK(std::string(d["ts"].GetString()).back() == 'Z');
    LogFormat f;
    CHECK(parse_log_format("json", f));
    CHECK(f == LogFormat::json);
    CHECK_FALSE(parse_log_format("xml", f));
}

TEST_CASE("a repeated message is written `burst` times per window, then counted") {
    LogRateLimiter::Limits lim;
    lim.burst = 3;
    LogRateLimiter rl(lim);
    auto t0 = Clock::now();
    int written = 0;
    for (int i = 0; i < 50; ++i) written += rl.admit(3, "behavior", "could not block pid " + std::to_string(1000 + i), t0);
    CHECK(written == 3);  // numbers differ, the message is the same
    CHECK(rl.expire(t0 + std::chrono::seconds(5)).empty());
    auto held = rl.expire(t0 + std::chrono::seconds(11));
    REQUIRE(held.size() == 1);
    CHECK(held[0].count == 47);
    CHECK(held[0].component == "behavior");
    CHECK(held[0].last == "could not block pid 1049");
    CHECK_FALSE(held[0].whole_component);
    // A new window writes again.
    CHECK(rl.admit(3, "behavior", "could not block pid 7", t0 + std::chrono::seconds(12)));
}

TEST_CASE("distinct messages of one component share the component budget") {
    LogRateLimiter::Limits lim;
    lim.burst = 5;
    lim.component_burst = 10;
    LogRateLimiter rl(lim);
    auto t0 = Clock::now();
    int written = 0;
    const char* words[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
                           "lambda", "mu", "nu", "xi"};
    for (const char* w : words) written += rl.admit(2, "plugin", std::string("event ") + w, t0);
    CHECK(written == 10);
    CHECK(rl.admit(2, "other", "event alpha", t0));  // another component is not affected
    auto held = rl.expire(t0 + std::chrono::seconds(10));
    REQUIRE(held.size() == 1);
    CHECK(held[0].whole_component);
    CHECK(held[0].count == 4);
}

TEST_CASE("log() writes the summary of a suppressed flood through the sink") {
    std::vector<std::string> lines;
    set_log_sink([&](std::string_view l) { lines.emplace_back(l); });
    set_log_journald(true);
    for (int i = 0; i < 20; ++i) log_warn("flood-test", "retrying connection " + std::to_string(i));
    CHECK(lines.size() == 5);
    for (const auto& l : lines) CHECK(l.rfind("<4>WARN  [flood-test] retrying connection ", 0) == 0);
    set_log_journald(false);
    set_log_sink(nullptr);
}

TEST_CASE("JOURNAL_STREAM must name our stderr") {
    struct stat st {};
    REQUIRE(::fstat(2, &st) == 0);
    std::string ours = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    ::setenv("JOURNAL_STREAM", ours.c_str(), 1);
    CHECK(stderr_is_journal());
    ::setenv("JOURNAL_STREAM", "1:2", 1);
    CHECK_FALSE(stderr_is_journal());
    ::setenv("JOURNAL_STREAM", "garbage", 1);
    CHECK_FALSE(stderr_is_journal());
    ::unsetenv("JOURNAL_STREAM");
    CHECK_FALSE(stderr_is_journal());
}
