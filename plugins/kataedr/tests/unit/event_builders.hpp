// Builds bus payloads for the unit tests of kataedr, the connector to the central node.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>

#include <vigil/sdk.hpp>

#include "ocsf_converter.hpp"

namespace kataedr_test {

inline vigil::ProcessInfo sample_process(const std::string& exe = "/usr/bin/curl",
                                         const std::string& cmdline = "curl https://example.org") {
    vigil::ProcessInfo p;
    p.flags = VIGIL_PROC_FLAG_KNOWN;
    p.pid = 4242;
    p.ppid = 1;
    p.uid = 1000;
    p.start_time_ns = 1700000000123456789ull;
    p.process_key = 99;
    p.exe = exe;
    p.cmdline = cmdline;
    p.argv = {"curl", "https://example.org"};
    p.cwd = "/home/alice";
    p.user = "alice";
    p.sha256 = std::string(64, 'a');
    p.parent_exe = "/bin/bash";
    p.parent_cmdline = "bash -l";
    p.comm = "curl";
    return p;
}

struct Built {
    std::vector<char> bytes;
    vigil::kataedr::EventView view(uint32_t type, uint64_t time_ns = 1700000001000000000ull) const {
        return vigil::kataedr::EventView{type, bytes.data(), uint32_t(bytes.size()), time_ns, 7, "test_source"};
    }
};

template <class T>
Built finish(const vigil::PayloadBuilder<T>& b) {
    const char* p = static_cast<const char*>(b.data());
    return Built{std::vector<char>(p, p + b.size())};
}

inline Built process_event(const vigil::ProcessInfo& p, int exit_code = 0) {
    vigil::PayloadBuilder<vigil_process_event> b;
    b.set_process(&vigil_process_event::process, p);
    b.head().exit_code = exit_code;
    return finish(b);
}

inline Built network_event(uint32_t action, const vigil::ProcessInfo& p) {
    vigil::PayloadBuilder<vigil_network_event> b;
    b.head().action = action;
    b.head().family = AF_INET;
    b.head().protocol = IPPROTO_TCP;
    b.head().local_port = 40000;
    b.head().remote_port = 443;
    inet_pton(AF_INET, "10.0.0.5", b.head().local_addr);
    inet_pton(AF_INET, "93.184.216.34", b.head().remote_addr);
    b.set(&vigil_network_event::remote_hostname, "example.org");
    b.set_process(&vigil_network_event::process, p);
    return finish(b);
}

inline Built file_event(uint32_t action, const std::string& path, const vigil::ProcessInfo& p,
                        const std::string& new_path = {}) {
    vigil::PayloadBuilder<vigil_file_event> b;
    b.head().action = action;
    b.head().size = 12;
    b.head().mode = 0100644;
    b.set(&vigil_file_event::path, path);
    b.set(&vigil_file_event::new_path, new_path);
    b.set_process(&vigil_file_event::process, p);
    return finish(b);
}

inline Built threat_event(const std::string& details_json) {
    vigil::PayloadBuilder<vigil_threat_event> b;
    b.head().severity = VIGIL_SEV_HIGH;
    b.head().threat_id = 5;
    b.head().trigger_sequence = 77;
    b.set(&vigil_threat_event::detector, "sigma");
    b.set(&vigil_threat_event::rule_id, "rule-1");
    b.set(&vigil_threat_event::title, "Suspicious \"curl\" download");
    b.set(&vigil_threat_event::description, "line1\nline2");
    b.set(&vigil_threat_event::tags, "attack.t1105, attack.command_and_control");
    b.set(&vigil_threat_event::object_type, "file");
    b.set(&vigil_threat_event::object, "/tmp/payload");
    b.set(&vigil_threat_event::details_json, details_json);
    b.set_process(&vigil_threat_event::process, sample_process());
    return finish(b);
}

inline Built action_result(int status, const std::string& error) {
    vigil::PayloadBuilder<vigil_action_result> b;
    b.head().status = status;
    b.head().threat_id = 5;
    b.set(&vigil_action_result::action, "kill");
    b.set(&vigil_action_result::object, "pid 4242");
    b.set(&vigil_action_result::error, error);
    b.set(&vigil_action_result::origin, "policy");
    return finish(b);
}

}  // namespace kataedr_test
