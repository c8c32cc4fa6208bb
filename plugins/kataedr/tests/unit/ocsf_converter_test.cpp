#include "ocsf_converter.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "event_builders.hpp"

using namespace vigil::kataedr;
using namespace kataedr_test;

namespace {

const OcsfContext kCtx{"11111111-2222-4333-8444-555555555555", "host1", "0.1.0"};

rapidjson::Document convert(const EventView& ev, uint64_t seq = 10) {
    std::string out;
    REQUIRE(append_ocsf(kCtx, ev, seq, out));
    rapidjson::Document d;
    d.Parse(out.data(), out.size());
    REQUIRE_FALSE(d.HasParseError());
    REQUIRE(d.IsObject());
    return d;
}

std::string s(const rapidjson::Value& v) { return std::string(v.GetString(), v.GetStringLength()); }

void check_common(const rapidjson::Document& d, int class_uid, const char* type) {
    CHECK(d["class_uid"].GetInt() == class_uid);
    CHECK(s(d["type"]) == type);
    CHECK(d["time"].GetUint64() == 1700000001000ull);  // ms
    CHECK(s(d["metadata"]["product"]["name"]) == "Vigil");
    CHECK(s(d["metadata"]["product"]["vendor_name"]) == "Vigil");
    CHECK(s(d["metadata"]["version"]) == "1.1.0");
    CHECK(s(d["metadata"]["uid"]) == kCtx.agent_id + ":10");
    CHECK(d["metadata"]["sequence"].GetUint64() == 10);
    CHECK(s(d["device"]["hostname"]) == "host1");
    CHECK(s(d["device"]["uid"]) == kCtx.agent_id);
    CHECK(d["type_uid"].GetInt64() == int64_t(class_uid) * 100 + d["activity_id"].GetInt());
}

}  // namespace

TEST_CASE("ocsf: process start is Process Activity / Launch with full context") {
    auto b = process_event(sample_process());
    auto d = convert(b.view(VIGIL_TYPE_PROCESS_START));
    check_common(d, 1007, "process");
    CHECK(d["activity_id"].GetInt() == 1);
    CHECK(s(d["activity_name"]) == "Launch");
    const auto& p = d["process"];
    CHECK(p["pid"].GetInt() == 4242);
    CHECK(s(p["cmd_line"]) == "curl https://example.org");
    CHECK(s(p["file"]["path"]) == "/usr/bin/curl");
    CHECK(s(p["file"]["name"]) == "curl");
    CHECK(s(p["file"]["parent_folder"]) == "/usr/bin");
    CHECK(s(p["file"]["hashes"][0]["algorithm"]) == "SHA-256");
    CHECK(s(p["file"]["hashes"][0]["value"]) == std::string(64, 'a'));
    CHECK(s(p["user"]["name"]) == "alice");
    CHECK(s(p["user"]["uid"]) == "1000");
    CHECK(s(p["working_directory"]) == "/home/alice");
    CHECK(p["created_time"].GetUint64() == 1700000000123ull);
    CHECK(p["parent_process"]["pid"].GetInt() == 1);
    CHECK(s(p["parent_process"]["file"]["path"]) == "/bin/bash");
    CHECK(s(d["actor"]["process"]["cmd_line"]) == "bash -l");
}

TEST_CASE("ocsf: process exit carries the exit code") {
    auto b = process_event(sample_process(), 3);
    auto d = convert(b.view(VIGIL_TYPE_PROCESS_EXIT));
    CHECK(d["activity_id"].GetInt() == 2);
    CHECK(d["exit_code"].GetInt() == 3);
    CHECK(s(d["unmapped"]["bus_type"]) == "process_exit");
}

TEST_CASE("ocsf: network connect and accept set endpoints and direction") {
    auto c = network_event(VIGIL_NET_CONNECT, sample_process());
    auto d = convert(c.view(VIGIL_TYPE_NETWORK));
    check_common(d, 4001, "network");
    CHECK(s(d["activity_name"]) == "Open");
    CHECK(s(d["src_endpoint"]["ip"]) == "10.0.0.5");
    CHECK(d["src_endpoint"]["port"].GetInt() == 40000);
    CHECK(s(d["dst_endpoint"]["ip"]) == "93.184.216.34");
    CHECK(d["dst_endpoint"]["port"].GetInt() == 443);
    CHECK(s(d["dst_endpoint"]["hostname"]) == "example.org");
    CHECK(s(d["connection_info"]["protocol_name"]) == "tcp");
    CHECK(s(d["connection_info"]["direction"]) == "Outbound");
    CHECK(s(d["actor"]["process"]["file"]["path"]) == "/usr/bin/curl");

    auto a = network_event(VIGIL_NET_ACCEPT, sample_process());
    auto e = convert(a.view(VIGIL_TYPE_NETWORK));
    CHECK(s(e["connection_info"]["direction"]) == "Inbound");
    CHECK(s(e["src_endpoint"]["ip"]) == "93.184.216.34");  // the remote peer initiated
    auto l = network_event(VIGIL_NET_LISTEN, sample_process());
    CHECK(convert(l.view(VIGIL_TYPE_NETWORK))["activity_id"].GetInt() == 7);
}

TEST_CASE("ocsf: file events map their action; rename has the new name") {
    auto c = file_event(VIGIL_FILE_CREATE, "/etc/cron.d/job", sample_process());
    auto d = convert(c.view(VIGIL_TYPE_FILE));
    check_common(d, 1001, "file");
    CHECK(d["activity_id"].GetInt() == 1);
    CHECK(s(d["file"]["path"]) == "/etc/cron.d/job");
    CHECK(s(d["file"]["name"]) == "job");
    CHECK(s(d["file"]["parent_folder"]) == "/etc/cron.d");
    CHECK(s(d["actor"]["process"]["cmd_line"]) == "curl https://example.org");
    auto r = file_event(VIGIL_FILE_RENAME, "/tmp/a", sample_process(), "/tmp/b");
    auto e = convert(r.view(VIGIL_TYPE_FILE));
    CHECK(d["activity_id"].GetInt() == 1);
    CHECK(e["activity_id"].GetInt() == 5);
    CHECK(s(e["file_result"]["path"]) == "/tmp/b");
    auto m = file_event(VIGIL_FILE_DELETE, "/", sample_process());
    auto f = convert(m.view(VIGIL_TYPE_FILE));
    CHECK(f["activity_id"].GetInt() == 4);
    CHECK(s(f["file"]["parent_folder"]) == "/");
}

TEST_CASE("ocsf: detection finding with ATT&CK, escaping and embedded details") {
    auto t = threat_event(R"({"score":7})");
    auto d = convert(t.view(VIGIL_TYPE_THREAT));
    check_common(d, 2004, "detection");
    CHECK(d["severity_id"].GetInt() == 4);  // high
    CHECK(s(d["finding_info"]["title"]) == "Suspicious \"curl\" download");
    CHECK(s(d["finding_info"]["desc"]) == "line1\nline2");
    CHECK(s(d["finding_info"]["analytic"]["uid"]) == "rule-1");
    CHECK(s(d["finding_info"]["attacks"][0]["technique"]["uid"]) == "T1105");
    CHECK(s(d["finding_info"]["attacks"][1]["tactic"]["name"]) == "command_and_control");
    CHECK(s(d["finding_info"]["related_events"][0]["uid"]) == "77");
    CHECK(s(d["resources"][0]["name"]) == "/tmp/payload");
    CHECK(s(d["evidences"][0]["file"]["path"]) == "/tmp/payload");
    CHECK(d["unmapped"]["details"]["score"].GetInt() == 7);
    // Invalid JSON from a producer is kept as a string, the batch stays valid.
    auto bad = threat_event("{not json");
    auto e = convert(bad.view(VIGIL_TYPE_THREAT));
    CHECK(s(e["unmapped"]["details"]) == "{not json");
    // A NUL ends RapidJSON's input early: "{...}\0junk" is not valid JSON and stays a string
    // (found by the fuzzer, where it tripped RawValue's assertion).
    auto nul = threat_event(std::string(R"({"score":7})" "\0junk", 17));
    auto n = convert(nul.view(VIGIL_TYPE_THREAT));
    CHECK(n["unmapped"]["details"].IsString());
    CHECK(n["unmapped"]["details"].GetStringLength() == 17);
}

TEST_CASE("ocsf: action result is Remediation Activity with status") {
    auto ok = action_result(VIGIL_OK, "");
    auto d = convert(ok.view(VIGIL_TYPE_ACTION_RESULT));
    check_common(d, 7001, "action");
    CHECK(s(d["status"]) == "Success");
    auto fail = action_result(VIGIL_EFAILED, "no such process");
    auto e = convert(fail.view(VIGIL_TYPE_ACTION_RESULT));
    CHECK(s(e["status"]) == "Failure");
    CHECK(s(e["status_detail"]) == "no such process");
}

TEST_CASE("ocsf: malformed payloads and other types are refused without output") {
    std::string out = "x";
    char tiny[2] = {1, 0};
    CHECK_FALSE(append_ocsf(kCtx, EventView{VIGIL_TYPE_PROCESS_START, tiny, 2, 1, 1, "t"}, 1, out));
    CHECK_FALSE(append_ocsf(kCtx, EventView{VIGIL_TYPE_COMMAND, tiny, 2, 1, 1, "t"}, 1, out));
    CHECK(out == "x");
    // String references pointing outside the payload read as empty.
    auto b = process_event(sample_process());
    auto* head = reinterpret_cast<vigil_process_event*>(b.bytes.data());
    head->process.exe.off = 1u << 30;
    auto d = convert(b.view(VIGIL_TYPE_PROCESS_START));
    CHECK(s(d["process"]["file"]["path"]).empty());
}

TEST_CASE("event kinds and actors for rate limiting and exclusions") {
    auto n = network_event(VIGIL_NET_LISTEN, sample_process("/usr/sbin/sshd", "sshd -D"));
    CHECK(event_kind(n.view(VIGIL_TYPE_NETWORK)) == "network_listen");
    auto f = file_event(VIGIL_FILE_CHMOD, "/x", sample_process());
    CHECK(event_kind(f.view(VIGIL_TYPE_FILE)) == "file_chmod");
    auto a = actor_of(n.view(VIGIL_TYPE_NETWORK));
    CHECK(a.exe == "/usr/sbin/sshd");
    CHECK(a.cmdline == "sshd -D");
    CHECK(is_telemetry_type(VIGIL_TYPE_FILE));
    CHECK_FALSE(is_telemetry_type(VIGIL_TYPE_THREAT));
}

TEST_CASE("event kinds: every network and file action has its own, unknown ones read as other") {
    const std::pair<uint32_t, std::string_view> net[] = {{VIGIL_NET_CONNECT, "network_connect"},
                                                         {VIGIL_NET_ACCEPT, "network_accept"},
                                                         {VIGIL_NET_LISTEN, "network_listen"},
                                                         {VIGIL_NET_CLOSE, "network_close"},
                                                         {99, "network_other"}};
    for (const auto& [action, kind] : net)
        CHECK(event_kind(network_event(action, sample_process()).view(VIGIL_TYPE_NETWORK)) == kind);
    const std::pair<uint32_t, std::string_view> file[] = {
        {VIGIL_FILE_CREATE, "file_create"}, {VIGIL_FILE_MODIFY, "file_modify"},
        {VIGIL_FILE_DELETE, "file_delete"}, {VIGIL_FILE_RENAME, "file_rename"},
        {VIGIL_FILE_CHMOD, "file_chmod"},   {VIGIL_FILE_CHOWN, "file_chown"},
        {VIGIL_FILE_OPEN, "file_open"},     {99, "file_other"}};
    for (const auto& [action, kind] : file)
        CHECK(event_kind(file_event(action, "/x", sample_process()).view(VIGIL_TYPE_FILE)) == kind);
    CHECK(event_kind(process_event(sample_process()).view(VIGIL_TYPE_PROCESS_EXIT)) == "process_exit");
    CHECK(event_kind(process_event(sample_process()).view(VIGIL_TYPE_COMMAND)) == "other");
}
