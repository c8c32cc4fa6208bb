// Selections: maps (AND), value lists (OR), lists of maps (OR of ANDs),
// keyword searches, null/empty/numeric values, unknown fields.
#include "sigma_test_util.hpp"

using namespace sigma_test;

TEST_CASE("behavior_sigma_selection: a map is AND of its fields") {
    check_rule("    sel:\n        Image|endswith: '/tar'\n        CommandLine|contains: '--checkpoint-action'\n"
               "    condition: sel\n", {
        {process("/usr/bin/tar", "tar -cf x --checkpoint=1 --checkpoint-action=exec=sh"), kHit},
        {process("/usr/bin/tar", "tar -cf x ."), kMiss},
        {process("/usr/bin/zip", "zip --checkpoint-action"), kMiss},
    });
}

TEST_CASE("behavior_sigma_selection: a value list is OR") {
    check_rule("    sel:\n        Image|endswith:\n            - '/nc'\n            - '/ncat'\n            - '/netcat'\n"
               "    condition: sel\n", {
        {process("/usr/bin/ncat", "ncat"), kHit},
        {process("/bin/netcat", "netcat"), kHit},
        {process("/bin/cat", "cat"), kMiss},
    });
}

TEST_CASE("behavior_sigma_selection: a list of maps is OR of ANDs") {
    check_rule(
        "    sel:\n"
        "        - Image|endswith: '/python3'\n"
        "          CommandLine|contains: 'pty.spawn'\n"
        "        - Image|endswith: '/perl'\n"
        "          CommandLine|contains: 'socket'\n"
        "    condition: sel\n", {
        {process("/usr/bin/python3", "python3 -c 'import pty;pty.spawn(\"/bin/sh\")'"), kHit},
        {process("/usr/bin/perl", "perl -e 'use Socket;...'"), kHit},
        {process("/usr/bin/perl", "perl -e 'pty.spawn'"), kMiss},  // halves of different maps
        {process("/usr/bin/python3", "python3 -c socket"), kMiss},
    });
}

TEST_CASE("behavior_sigma_selection: keyword searches look in every field") {
    check_rule("    keywords:\n        - 'mimikatz'\n        - 'LaZagne'\n    condition: keywords\n", {
        {process("/opt/x/mimikatz.bin", "run"), kHit},  // in Image
        {process("/usr/bin/python3", "python3 lazagne.py all"), kHit},  // in CommandLine, any case
        {event(Category::ProcessCreation, {{FieldId::CurrentDirectory, "/tmp/mimikatz"}}), kHit},
        {process("/usr/bin/python3", "python3 tool.py"), kMiss},
    });

    // '|all' in a keyword map: every keyword must be present somewhere.
    check_rule("    keywords:\n        '|all':\n            - 'pkexec'\n            - 'GCONV_PATH'\n"
               "    condition: keywords\n", {
        {process("/usr/bin/pkexec", "env GCONV_PATH=. x"), kHit},
        {process("/usr/bin/pkexec", "pkexec ls"), kMiss},
    });

    // A single keyword string, and keywords with modifiers.
    check_rule("    keywords: 'evil-thing'\n    condition: keywords\n", {
        {process("/bin/x", "run evil-thing now"), kHit},
    });
    check_rule("    keywords:\n        '|re': 'nc\\s+-e'\n    condition: keywords\n", {
        {process("/bin/x", "nc   -e /bin/sh"), kHit},
        {process("/bin/x", "nc -l"), kMiss},
    });
    check_rule("    keywords:\n        '|cased': 'EVIL'\n    condition: keywords\n", {
        {process("/bin/x", "an EVIL one"), kHit},
        {process("/bin/x", "an evil one"), kMiss},
    });
}

TEST_CASE("behavior_sigma_selection: keywords combine with field selections") {
    check_rule("    sel:\n        Image|endswith: '/sh'\n    keywords:\n        - '/dev/tcp'\n"
               "    condition: sel and keywords\n", {
        {process("/bin/sh", "sh -c 'cat < /dev/tcp/1.2.3.4/80'"), kHit},
        {process("/bin/sh", "sh -c ls"), kMiss},
    });
}

TEST_CASE("behavior_sigma_selection: numbers, booleans and empty strings compare as text") {
    auto d = detector_for("    sel:\n        ProcessId: 4242\n        Initiated: true\n    condition: sel\n");
    auto e = process("/bin/x", "x");
    e.set(FieldId::Initiated, "true");
    CHECK(hits(d, e));
    e.set(FieldId::ProcessId, "42");
    CHECK_FALSE(hits(d, e));

    auto empty = detector_for("    sel:\n        CurrentDirectory: ''\n    condition: sel\n");
    auto with_empty = process("/bin/x", "x");
    with_empty.set(FieldId::CurrentDirectory, "");
    CHECK(hits(empty, with_empty));
    CHECK_FALSE(hits(empty, process("/bin/x", "x")));  // absent is not empty
}

TEST_CASE("behavior_sigma_selection: unknown fields load but never match") {
    Detector d;
    auto err = d.add_rule(rule_yaml("    sel:\n        Image|endswith: '/sh'\n        LogonId: 0\n"
                                    "    filter:\n        IntegrityLevel: High\n"
                                    "    condition: sel or not filter\n"),
                          "test");
    REQUIRE_FALSE(err);
    auto rules = d.rules();
    REQUIRE(rules.size() == 1);
    CHECK(rules[0]->unmapped_fields == std::vector<std::string>{"IntegrityLevel", "LogonId"});
    // `sel` needs LogonId so it never matches; `not filter` is true.
    CHECK(hits(d, process("/bin/sh", "sh")));

    check_rule("    sel:\n        LogonId: 0\n    condition: sel\n", {
        {process("/bin/sh", "sh"), kMiss},
    });
    check_rule("    sel:\n        LogonId: null\n    condition: sel\n", {
        {process("/bin/sh", "sh"), kMiss},
    });
}

TEST_CASE("behavior_sigma_selection: field names are case-insensitive") {
    check_rule("    sel:\n        image|endswith: '/sh'\n        COMMANDLINE: 'sh'\n    condition: sel\n", {
        {process("/bin/sh", "sh"), kHit},
    });
}

TEST_CASE("behavior_sigma_selection: malformed selections are reported") {
    CHECK(load_error("    sel:\n        Image:\n            nested: map\n    condition: sel\n").find("field 'Image'") !=
          std::string::npos);
    CHECK(load_error("    sel: {}\n    condition: sel\n").find("empty map") != std::string::npos);
    CHECK(load_error("    sel: []\n    condition: sel\n").find("empty list") != std::string::npos);
    CHECK(load_error("    sel:\n    condition: sel\n").find("'sel' is null") != std::string::npos);
    CHECK(load_error("    sel:\n        Image:\n            - a\n            - null\n    condition: sel\n")
              .find("null cannot be part of a value list") != std::string::npos);
    CHECK(load_error("    sel:\n        Image: []\n    condition: sel\n").find("empty value list") != std::string::npos);
    CHECK(load_error("    sel:\n        - [a, b]\n    condition: sel\n").find("a list in its list") != std::string::npos);
}
