// Value modifiers: contains, startswith, endswith, all, re, cidr, cased,
// windash, base64, base64offset, utf16/wide, exists, neq, lt/lte/gt/gte, fieldref.
#include "modifiers.hpp"
#include "sigma_rule_cases.hpp"
#include "sigma_test_util.hpp"

using namespace sigma_test;

TEST_CASE("behavior_sigma_modifier: rule cases (sigma_cases/modifiers.yaml)") { check_rule_cases("modifiers.yaml"); }

TEST_CASE("behavior_sigma_modifier: cidr with IPv4 and IPv6") {

    CHECK(load_error("    sel:\n        DestinationIp|cidr: '10.0.0.0/33'\n    condition: sel\n", "network_connection")
              .find("10.0.0.0/33") != std::string::npos);
    CHECK(load_error("    sel:\n        DestinationIp|cidr: 'ten/8'\n    condition: sel\n", "network_connection")
              .find("invalid cidr network 'ten/8'") != std::string::npos);
}

TEST_CASE("behavior_sigma_modifier: windash") {
    check_rule("    sel:\n        CommandLine|windash|contains: ' -exec '\n    condition: sel\n", {
        {process("/usr/bin/find", "find . -exec sh {} ;"), kHit},
        {process("/usr/bin/find", "find . /exec sh {} ;"), kHit},
        {process("/usr/bin/find", "find . \xE2\x80\x93" "exec sh {} ;"), kHit},  // en dash
        {process("/usr/bin/find", "FIND . -EXEC sh"), kHit},
        {process("/usr/bin/find", "find . +exec sh"), kMiss},
    });
}

TEST_CASE("behavior_sigma_modifier: base64 and base64offset") {
    using vigil::behavior::sigma::base64_encode;
    using vigil::behavior::sigma::base64_offsets;
    CHECK(base64_encode("curl http") == "Y3VybCBodHRw");
    CHECK(base64_encode("a") == "YQ==");
    CHECK(base64_offsets("http") == std::vector<std::string>{"aHR0c", "h0dH", "odHRw"});
    CHECK(base64_offsets("/bin/bash") == std::vector<std::string>{"L2Jpbi9iYXNo", "9iaW4vYmFza", "vYmluL2Jhc2"});

    auto off = detector_for("    sel:\n        CommandLine|base64offset|contains: '/bin/bash'\n    condition: sel\n");
    // "x/bin/bash -i" and "xy/bin/bash -i" put the value at shifts 1 and 2.
    CHECK(hits(off, process("/bin/sh", "echo eC9iaW4vYmFzaCAtaQ== | base64 -d | sh")));
    CHECK(hits(off, process("/bin/sh", "echo eHkvYmluL2Jhc2ggLWk= | base64 -d | sh")));
    CHECK(hits(off, process("/bin/sh", "echo L2Jpbi9iYXNoIC1p | base64 -d | sh")));
    CHECK_FALSE(hits(off, process("/bin/sh", "echo L2Jpbi9zaCAtaQ== | base64 -d | sh")));  // /bin/sh -i
}

TEST_CASE("behavior_sigma_modifier: utf16 encoders feed base64") {
    CHECK(vigil::behavior::sigma::utf16_encode("cmd", vigil::behavior::sigma::Utf16Form::Be) == std::string("\0c\0m\0d", 6));
    CHECK(vigil::behavior::sigma::utf16_encode("a", vigil::behavior::sigma::Utf16Form::Bom) == std::string("\xFF\xFE" "a\0", 4));
    CHECK(vigil::behavior::sigma::utf16_encode("\xF0\x9F\x98\x80", vigil::behavior::sigma::Utf16Form::Le) ==
          std::string("\x3D\xD8\x00\xDE", 4));  // U+1F600 as a surrogate pair
}

TEST_CASE("behavior_sigma_modifier: exists, neq and null") {
    auto exists = detector_for("    sel:\n        ParentCommandLine|exists: true\n    condition: sel\n");
    auto with_parent = process("/bin/ls", "ls");
    with_parent.set(FieldId::ParentCommandLine, "bash");
    CHECK(hits(exists, with_parent));
    CHECK_FALSE(hits(exists, process("/bin/ls", "ls")));

    auto neq = detector_for("    sel:\n        Image|endswith: '/sh'\n        User|neq: root\n    condition: sel\n");
    check_hits(neq, {
        {process("/bin/sh", "sh"), kHit},  // user alice
    });
    auto as_root = process("/bin/sh", "sh");
    as_root.set(FieldId::User, "root");
    CHECK_FALSE(hits(neq, as_root));

    check_rule("    sel:\n        Image: '/bin/ls'\n    empty:\n        ParentCommandLine: null\n"
               "    condition: sel and empty\n", {
        {process("/bin/ls", "ls"), kHit},
        {with_parent, kMiss},
    });
}

TEST_CASE("behavior_sigma_modifier: numeric comparisons") {
    auto gt = detector_for("    sel:\n        DestinationPort|gt: 1024\n    condition: sel\n", "network_connection");
    check_hits(gt, {
        {network("1.2.3.4", "1024"), kMiss},
    });
    CHECK(load_error("    sel:\n        DestinationPort|gt: many\n    condition: sel\n", "network_connection")
              .find("not a number") != std::string::npos);
}

TEST_CASE("behavior_sigma_modifier: fieldref") {
    auto d = detector_for("    sel:\n        CommandLine|fieldref: ParentCommandLine\n    condition: sel\n");
    auto same = process("/bin/sh", "sh -c x");
    same.set(FieldId::ParentCommandLine, "SH -C X");
    CHECK(hits(d, same));
    same.set(FieldId::ParentCommandLine, "bash");
    CHECK_FALSE(hits(d, same));
}

TEST_CASE("behavior_sigma_modifier: bad modifiers are reported by name") {
    CHECK(load_error("    sel:\n        Image|containz: x\n    condition: sel\n").find("unknown modifier 'containz'") !=
          std::string::npos);
    CHECK(load_error("    sel:\n        Image|hour: 3\n    condition: sel\n").find("time modifier 'hour'") !=
          std::string::npos);
    CHECK(load_error("    sel:\n        Image|expand: '%x%'\n    condition: sel\n").find("expand") != std::string::npos);
    CHECK(load_error("    sel:\n        Image|re|contains: x\n    condition: sel\n").find("conflicting") !=
          std::string::npos);
    CHECK(load_error("    sel:\n        Image|re: '(unclosed'\n    condition: sel\n").find("invalid regular expression") !=
          std::string::npos);
    CHECK(load_error("    sel:\n        Image|base64: 'a*b'\n    condition: sel\n").find("without wildcards") !=
          std::string::npos);
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
