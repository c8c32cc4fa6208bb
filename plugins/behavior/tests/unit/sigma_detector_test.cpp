// Detector: category routing, trusted programs, matches.
#include "sigma_test_util.hpp"

using namespace sigma_test;
using vigil::behavior::sigma::TrustedProgram;

namespace {
const char* kCronWrite = "    sel:\n        TargetFilename|startswith: '/etc/cron.d/'\n    condition: sel\n";
const char* kShellFromPython =
    "    sel:\n        Image|endswith: '/sh'\n    condition: sel\n";
}  // namespace

TEST_CASE("behavior_sigma_detector: an event is checked only against its category's rules") {
    Detector d;
    REQUIRE_FALSE(d.add_rule(rule_yaml(kCronWrite, "file_event", "a0000000-0000-0000-0000-000000000001"), "t"));
    REQUIRE_FALSE(d.add_rule(rule_yaml("    sel:\n        CommandLine|contains: '/etc/cron.d/'\n    condition: sel\n",
                                       "process_creation", "a0000000-0000-0000-0000-000000000002"),
                             "t"));
    auto file = event(Category::FileEvent, {{FieldId::TargetFilename, "/etc/cron.d/evil"},
                                            {FieldId::CommandLine, "tee /etc/cron.d/evil"}});
    auto m = d.evaluate(file);
    REQUIRE(m.size() == 1);
    CHECK(m[0].rule->id == "a0000000-0000-0000-0000-000000000001");
    auto proc = process("/usr/bin/tee", "tee /etc/cron.d/evil");
    proc.set(FieldId::TargetFilename, "/etc/cron.d/evil");
    m = d.evaluate(proc);
    REQUIRE(m.size() == 1);
    CHECK(m[0].rule->id == "a0000000-0000-0000-0000-000000000002");
    CHECK(d.evaluate(event(Category::FileDelete, {{FieldId::TargetFilename, "/etc/cron.d/evil"}})).empty());
}

TEST_CASE("behavior_sigma_detector: renames are also file_event for their new name") {
    auto d = detector_for(kCronWrite, "file_event");
    check_hits(d, {
        {event(Category::FileRename, {{FieldId::SourceFilename, "/tmp/x"}, {FieldId::TargetFilename, "/etc/cron.d/x"}}), kHit},
    });
    check_rule("    sel:\n        SourceFilename|startswith: '/tmp/'\n    condition: sel\n",
               "file_rename", {
        {event(Category::FileRename, {{FieldId::SourceFilename, "/tmp/x"}, {FieldId::TargetFilename, "/etc/cron.d/x"}}), kHit},
        {event(Category::FileEvent, {{FieldId::SourceFilename, "/tmp/x"}}), kMiss},
    });
}

TEST_CASE("behavior_sigma_detector: several rules can match one event, in load order") {
    Detector d;
    REQUIRE_FALSE(d.add_rule(rule_yaml(kShellFromPython, "process_creation", "b0000000-0000-0000-0000-000000000001"), "t"));
    REQUIRE_FALSE(d.add_rule(rule_yaml("    sel:\n        User: alice\n    condition: sel\n", "process_creation",
                                       "b0000000-0000-0000-0000-000000000002"),
                             "t"));
    auto m = d.evaluate(process("/bin/sh", "sh"));
    REQUIRE(m.size() == 2);
    CHECK(m[0].rule->id == "b0000000-0000-0000-0000-000000000001");
    CHECK(m[1].rule->id == "b0000000-0000-0000-0000-000000000002");
    CHECK(m[0].rule->author == "tester");
    CHECK(m[0].rule->tags == std::vector<std::string>{"attack.execution"});
}

TEST_CASE("behavior_sigma_detector: trusted programs are never alerted on") {
    auto d = detector_for(kShellFromPython);
    auto child = process("/bin/sh", "sh -c 'apt-get update'", "/usr/bin/unattended-upgrade");
    REQUIRE(hits(d, child));

    // The acting program itself.
    d.set_trusted({TrustedProgram{"/bin/s?", false}});
    CHECK_FALSE(hits(d, child));

    // Its parent, without descendants: still alerted.
    d.set_trusted({TrustedProgram{"/usr/bin/unattended-*", false}});
    CHECK(hits(d, child));
    // With descendants: the parent (ParentImage) covers it...
    d.set_trusted({TrustedProgram{"/usr/bin/unattended-*", true}});
    CHECK_FALSE(hits(d, child));
    // ...and so does any ancestor in the chain the caller passes.
    d.set_trusted({TrustedProgram{"/usr/sbin/backupd", true}});
    auto grandchild = process("/bin/sh", "sh", "/usr/bin/python3");
    std::vector<std::string> chain{"/usr/bin/python3", "/usr/sbin/backupd", "/sbin/init"};
    CHECK(hits(d, grandchild));
    CHECK(d.evaluate(grandchild, chain).empty());
    CHECK(d.is_trusted("/bin/sh", chain));
    CHECK_FALSE(d.is_trusted("/bin/sh", std::vector<std::string>{"/usr/bin/python3"}));
    // `*` crosses directories.
    d.set_trusted({TrustedProgram{"/opt/*", false}});
    CHECK(d.is_trusted("/opt/vendor/bin/agent", {}));
    CHECK_FALSE(d.is_trusted("/usr/bin/x", {}));

    CHECK_THROWS_AS(d.set_trusted({TrustedProgram{"", false}}), std::invalid_argument);
}

TEST_CASE("behavior_sigma_detector: the ancestor chain is fetched lazily") {
    auto d = detector_for(kShellFromPython);
    int calls = 0;
    auto chain = [&] {
        ++calls;
        return std::vector<std::string>{"/usr/bin/python3", "/usr/sbin/backupd"};
    };
    // No match: never asked.
    CHECK(d.evaluate(process("/bin/ls", "ls"), chain).empty());
    CHECK(calls == 0);
    // A match but no trust list: never asked.
    CHECK(d.evaluate(process("/bin/sh", "sh"), chain).size() == 1);
    CHECK(calls == 0);
    // Trust without descendants: the image alone decides, never asked.
    d.set_trusted({TrustedProgram{"/usr/sbin/backupd", false}});
    CHECK(d.evaluate(process("/bin/sh", "sh"), chain).size() == 1);
    CHECK(calls == 0);
    // Descendant trust: asked once, and the grandparent covers the event.
    d.set_trusted({TrustedProgram{"/usr/sbin/backupd", true}});
    CHECK(d.evaluate(process("/bin/sh", "sh"), chain).empty());
    CHECK(calls == 1);
    CHECK(d.evaluate(process("/bin/sh", "sh"), Detector::AncestorsFn{}).size() == 1);
}

TEST_CASE("behavior_sigma_detector: rules for log sources we do not produce never run") {
    Detector d;
    REQUIRE_FALSE(d.add_rule(
        "title: t\nid: c0000000-0000-0000-0000-000000000001\nlogsource: {product: linux, service: auditd}\n"
        "detection: {keywords: ['sh'], condition: keywords}\n",
        "t"));
    CHECK(d.rule_count() == 1);
    CHECK(d.stats().active == 0);
    CHECK_FALSE(hits(d, process("/bin/sh", "sh")));
}
