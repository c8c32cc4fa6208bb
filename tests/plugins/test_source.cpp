// Test plugin: publishes core events on command so tests can drive the bus
// and the connector without real sensors.
//   test_source.emit {"type":"process_start|process_exit|network|file|threat|action_result",
//                     "count":N, "marker":"S"}
#include <rapidjson/document.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <ctime>
#include <string>

#include <vigil/sdk.hpp>

namespace {

uint64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

vigil::ProcessInfo process(const std::string& marker, int i) {
    vigil::ProcessInfo p;
    p.flags = VIGIL_PROC_FLAG_KNOWN;
    p.pid = 100000 + i;
    p.ppid = getpid();
    p.start_time_ns = now_ns();
    p.exe = "/usr/bin/" + marker;
    p.argv = {marker, "--index", std::to_string(i)};
    p.cmdline = marker + " --index " + std::to_string(i);
    p.cwd = "/tmp";
    p.user = "root";
    p.sha256 = std::string(64, 'a');
    p.parent_exe = "/usr/sbin/vigild";
    p.comm = marker.substr(0, 15);
    return p;
}

class TestSource : public vigil::Plugin {
public:
    explicit TestSource(vigil::Host& host) : Plugin(host) {
        host.on_command("test_source.emit", [this](const vigil::Command& c, vigil::Reply r) { emit(c, r); });
    }

private:
    void emit(const vigil::Command& c, vigil::Reply& r) {
        rapidjson::Document d;
        d.Parse(c.args_json.data(), c.args_json.size());
        if (d.HasParseError() || !d.IsObject()) return void(r.error(VIGIL_EINVAL, "arguments must be a JSON object"));
        std::string type = d.HasMember("type") && d["type"].IsString() ? d["type"].GetString() : "process_start";
        int count = d.HasMember("count") && d["count"].IsInt() ? d["count"].GetInt() : 1;
        std::string marker = d.HasMember("marker") && d["marker"].IsString() ? d["marker"].GetString() : "vigil-test";
        if (count < 0 || count > 10000000) return void(r.error(VIGIL_EINVAL, "count must be 0..10000000"));
        uint64_t failed = 0;
        for (int i = 0; i < count; ++i) {
            vigil_status st = VIGIL_OK;
            if (type == "process_start" || type == "process_exit") {
                vigil::PayloadBuilder<vigil_process_event> b;
                b.set_process(&vigil_process_event::process, process(marker, i));
                if (type == "process_exit") b.head().lifetime_ns = 1000;
                st = host().publish(type == "process_start" ? VIGIL_TYPE_PROCESS_START : VIGIL_TYPE_PROCESS_EXIT, b);
            } else if (type == "network") {
                vigil::PayloadBuilder<vigil_network_event> b;
                b.head().action = VIGIL_NET_CONNECT;
                b.head().family = AF_INET;
                b.head().protocol = 6;
                inet_pton(AF_INET, "127.0.0.1", b.head().local_addr);
                inet_pton(AF_INET, "127.0.0.2", b.head().remote_addr);
                b.head().local_port = uint16_t(40000 + i % 20000);
                b.head().remote_port = 443;
                b.set_process(&vigil_network_event::process, process(marker, i));
                st = host().publish(VIGIL_TYPE_NETWORK, b);
            } else if (type == "file") {
                vigil::PayloadBuilder<vigil_file_event> b;
                b.head().action = VIGIL_FILE_MODIFY;
                b.head().mode = 0100644;
                b.set(&vigil_file_event::path, "/tmp/" + marker + "/" + std::to_string(i));
                b.set_process(&vigil_file_event::process, process(marker, i));
                st = host().publish(VIGIL_TYPE_FILE, b);
            } else if (type == "threat") {
                vigil::PayloadBuilder<vigil_threat_event> b;
                b.head().severity = VIGIL_SEV_HIGH;
                b.head().threat_id = uint64_t(i + 1);
                b.set(&vigil_threat_event::detector, "test");
                b.set(&vigil_threat_event::rule_id, "test-rule");
                b.set(&vigil_threat_event::title, "test threat " + marker);
                b.set(&vigil_threat_event::object_type, "file");
                b.set(&vigil_threat_event::object, "/tmp/" + marker);
                b.set_process(&vigil_threat_event::process, process(marker, i));
                st = host().publish(VIGIL_TYPE_THREAT, b);
            } else if (type == "action_result") {
                vigil::PayloadBuilder<vigil_action_result> b;
                b.head().threat_id = uint64_t(i + 1);
                b.set(&vigil_action_result::action, "notify");
                b.set(&vigil_action_result::object, "/tmp/" + marker);
                b.set(&vigil_action_result::origin, "test");
                st = host().publish(VIGIL_TYPE_ACTION_RESULT, b);
            } else {
                return void(r.error(VIGIL_EINVAL, "unknown type '" + type + "'"));
            }
            if (st != VIGIL_OK) ++failed;
        }
        r.ok("{\"published\":" + std::to_string(count - int(failed)) + ",\"failed\":" + std::to_string(failed) + "}");
    }
};

}  // namespace

VIGIL_PLUGIN(TestSource, "test_source", "1.0.0", "Publishes synthetic events on command (tests only)", nullptr,
             R"({"type":"object","additionalProperties":false})",
             "Apache-2.0", nullptr)
