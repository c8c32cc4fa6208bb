#include "event_json.hpp"

#include <arpa/inet.h>

namespace vigil::behavior {
namespace {

std::string q(std::string_view s) { return "\"" + vigil::json_escape(s) + "\""; }

}  // namespace

std::string address_text(uint8_t family, const uint8_t* addr) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (family == AF_INET) inet_ntop(AF_INET, addr, buf, sizeof buf);
    else if (family == AF_INET6) inet_ntop(AF_INET6, addr, buf, sizeof buf);
    return buf;
}

std::string process_json(const vigil::ProcessInfo& p) {
    std::string argv = "[";
    for (size_t i = 0; i < p.argv.size(); ++i) argv += (i ? "," : "") + q(p.argv[i]);
    argv += "]";
    return "{\"pid\":" + std::to_string(p.pid) + ",\"ppid\":" + std::to_string(p.ppid) +
           ",\"uid\":" + std::to_string(p.uid) + ",\"euid\":" + std::to_string(p.euid) +
           ",\"gid\":" + std::to_string(p.gid) + ",\"egid\":" + std::to_string(p.egid) +
           ",\"flags\":" + std::to_string(p.flags) + ",\"start_time_ns\":" + std::to_string(p.start_time_ns) +
           ",\"process_key\":" + std::to_string(p.process_key) + ",\"mnt_ns\":" + std::to_string(p.mnt_ns) +
           ",\"pid_ns\":" + std::to_string(p.pid_ns) + ",\"net_ns\":" + std::to_string(p.net_ns) +
           ",\"user_ns\":" + std::to_string(p.user_ns) + ",\"exe\":" + q(p.exe) + ",\"argv\":" + argv +
           ",\"cmdline\":" + q(p.cmdline) + ",\"cwd\":" + q(p.cwd) + ",\"user\":" + q(p.user) +
           ",\"sha256\":" + q(p.sha256) + ",\"parent_exe\":" + q(p.parent_exe) +
           ",\"parent_cmdline\":" + q(p.parent_cmdline) + ",\"container_id\":" + q(p.container_id) +
           ",\"tty\":" + q(p.tty) + ",\"comm\":" + q(p.comm) + "}";
}

std::string event_json(uint32_t type, const void* payload, uint32_t size) {
    switch (type) {
    case VIGIL_TYPE_PROCESS_START:
    case VIGIL_TYPE_PROCESS_EXIT: {
        auto v = vigil::view<vigil_process_event>(payload, size);
        if (!v.valid) return {};
        std::string j = std::string("{\"type\":\"") + (type == VIGIL_TYPE_PROCESS_START ? "process_start" : "process_exit") +
                        "\",\"process\":" + process_json(vigil::read_process(payload, size, v->process));
        if (type == VIGIL_TYPE_PROCESS_EXIT)
            j += ",\"exit_code\":" + std::to_string(v->exit_code) + ",\"exit_signal\":" + std::to_string(v->exit_signal) +
                 ",\"lifetime_ns\":" + std::to_string(v->lifetime_ns);
        return j + "}";
    }
    case VIGIL_TYPE_NETWORK: {
        auto v = vigil::view<vigil_network_event>(payload, size);
        if (!v.valid) return {};
        return std::string("{\"type\":\"network\",\"action\":\"") + vigil::network_action_name(v->action) +
               "\",\"family\":" + std::to_string(v->family) + ",\"protocol\":" + std::to_string(v->protocol) +
               ",\"local_addr\":" + q(address_text(v->family, v->local_addr)) +
               ",\"local_port\":" + std::to_string(v->local_port) +
               ",\"remote_addr\":" + q(address_text(v->family, v->remote_addr)) +
               ",\"remote_port\":" + std::to_string(v->remote_port) + ",\"process\":" +
               process_json(vigil::read_process(payload, size, v->process)) + "}";
    }
    case VIGIL_TYPE_FILE: {
        auto v = vigil::view<vigil_file_event>(payload, size);
        if (!v.valid) return {};
        return std::string("{\"type\":\"file\",\"action\":\"") + vigil::file_action_name(v->action) + "\",\"path\":" +
               q(v.str(v->path)) + ",\"new_path\":" + q(v.str(v->new_path)) + ",\"mode\":" + std::to_string(v->mode) +
               ",\"uid\":" + std::to_string(v->uid) + ",\"gid\":" + std::to_string(v->gid) +
               ",\"size\":" + std::to_string(v->size) + ",\"process\":" +
               process_json(vigil::read_process(payload, size, v->process)) + "}";
    }
    default:
        return {};
    }
}

}  // namespace vigil::behavior
