// Value modifiers: contains, startswith, endswith, all, re, cidr, cased,
// windash, base64, base64offset, utf16/wide, exists, neq, lt/lte/gt/gte, fieldref.
#include "modifiers.hpp"
#include "sigma_rule_cases.hpp"
#include "sigma_test_util.hpp"

using namespace sigma_test;

TEST_CASE("behavior_sigma_modifier: rule cases (sigma_cases/modifiers.yaml)") { check_rule_cases("modifiers.yaml"); }

TEST_CASE("behavior_sigma_modifier: base64 and base64offset") {
    using vigil::behavior::sigma::base64_encode;
    using vigil::behavior::sigma::base64_offsets;
    CHECK(base64_encode("curl http") == "Y3VybCBodHRw");
    CHECK(base64_encode("a") == "YQ==");
    CHECK(base64_offsets("http") == std::vector<std::string>{"aHR0c", "h0dH", "odHRw"});
    CHECK(base64_offsets("/bin/bash") == std::vector<std::string>{"L2Jpbi9iYXNo", "9iaW4vYmFza", "vYmluL2Jhc2"});
}

TEST_CASE("behavior_sigma_modifier: utf16 encoders feed base64") {
    CHECK(vigil::behavior::sigma::utf16_encode("cmd", vigil::behavior::sigma::Utf16Form::Be) == std::string("\0c\0m\0d", 6));
    CHECK(vigil::behavior::sigma::utf16_encode("a", vigil::behavior::sigma::Utf16Form::Bom) == std::string("\xFF\xFE" "a\0", 4));
    CHECK(vigil::behavior::sigma::utf16_encode("\xF0\x9F\x98\x80", vigil::behavior::sigma::Utf16Form::Le) ==
          std::string("\x3D\xD8\x00\xDE", 4));  // U+1F600 as a surrogate pair
}

TEST_CASE("behavior_sigma_modifier: a pathological regex is bounded, not a hang") {
    // Catastrophic backtracking on a non-matching subject: PCRE2's match limit
    // ends it and the value simply does not match.
    check_rule("    sel:\n        CommandLine|re: '^(a+)+$'\n    condition: sel\n", {
        {process("/bin/x", std::string(5000, 'a') + "!"), kMiss},
        {process("/bin/x", std::string(50, 'a')), kHit},
    });
}

TEST_CASE("behavior_sigma_modifier: windash on invalid UTF-8 is a load error, not a crash") {
    auto err = load_error("    sel:\n        CommandLine|windash: 'a\xFF-b'\n    condition: sel\n");
    MESSAGE(err);
    CHECK_FALSE(err.empty());
    CHECK(err.find("internal error") == std::string::npos);
}
