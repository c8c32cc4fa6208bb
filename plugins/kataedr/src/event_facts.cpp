#include "event_facts.hpp"

#include <vigil/enum_table.hpp>
#include <vigil/sdk.hpp>

namespace vigil::kataedr {

bool convertible_type(uint32_t t) {
    return t == VIGIL_TYPE_PROCESS_START || t == VIGIL_TYPE_PROCESS_EXIT || t == VIGIL_TYPE_NETWORK ||
           t == VIGIL_TYPE_FILE || t == VIGIL_TYPE_THREAT || t == VIGIL_TYPE_ACTION_RESULT;
}

bool is_telemetry_type(uint32_t t) {
    return t == VIGIL_TYPE_PROCESS_START || t == VIGIL_TYPE_PROCESS_EXIT || t == VIGIL_TYPE_NETWORK ||
           t == VIGIL_TYPE_FILE;
}

namespace {
constexpr EnumName<uint32_t> kNetworkKinds[] = {{VIGIL_NET_CONNECT, "network_connect"},
                                                {VIGIL_NET_ACCEPT, "network_accept"},
                                                {VIGIL_NET_LISTEN, "network_listen"},
                                                {VIGIL_NET_CLOSE, "network_close"}};
constexpr EnumName<uint32_t> kFileKinds[] = {
    {VIGIL_FILE_CREATE, "file_create"}, {VIGIL_FILE_MODIFY, "file_modify"},
    {VIGIL_FILE_DELETE, "file_delete"}, {VIGIL_FILE_RENAME, "file_rename"},
    {VIGIL_FILE_CHMOD, "file_chmod"},   {VIGIL_FILE_CHOWN, "file_chown"},
    {VIGIL_FILE_OPEN, "file_open"}};
}  // namespace

std::string_view event_kind(const EventView& ev) {
    switch (ev.type_id) {
        case VIGIL_TYPE_PROCESS_START:
            return "process_start";
        case VIGIL_TYPE_PROCESS_EXIT:
            return "process_exit";
        case VIGIL_TYPE_NETWORK:
            return enum_name(kNetworkKinds,
                             vigil::view<vigil_network_event>(ev.payload, ev.payload_size)->action,
                             "network_other");
        case VIGIL_TYPE_FILE:
            return enum_name(kFileKinds, vigil::view<vigil_file_event>(ev.payload, ev.payload_size)->action,
                             "file_other");
        case VIGIL_TYPE_THREAT:
            return "threat";
        case VIGIL_TYPE_ACTION_RESULT:
            return "action_result";
        default:
            return "other";
    }
}

ActorRef actor_of(const EventView& ev) {
    auto pick = [](const auto& v, const vigil_process_ctx& p) {
        return ActorRef{v.str(p.exe), v.str(p.cmdline)};
    };
    switch (ev.type_id) {
        case VIGIL_TYPE_PROCESS_START:
        case VIGIL_TYPE_PROCESS_EXIT: {
            auto v = vigil::view<vigil_process_event>(ev.payload, ev.payload_size);
            return v.valid ? pick(v, v->process) : ActorRef{};
        }
        case VIGIL_TYPE_NETWORK: {
            auto v = vigil::view<vigil_network_event>(ev.payload, ev.payload_size);
            return v.valid ? pick(v, v->process) : ActorRef{};
        }
        case VIGIL_TYPE_FILE: {
            auto v = vigil::view<vigil_file_event>(ev.payload, ev.payload_size);
            return v.valid ? pick(v, v->process) : ActorRef{};
        }
        default:
            return {};
    }
}

namespace {

template <class T>
ProcessRef ref_from(const EventView& ev) {
    auto v = vigil::view<T>(ev.payload, ev.payload_size);
    if (!v.valid || v->process.struct_size == 0) return {};
    const auto& p = v->process;
    return ProcessRef{true, p.pid, p.ppid, p.uid, p.process_key};
}

}  // namespace

ProcessRef process_of(const EventView& ev) {
    switch (ev.type_id) {
        case VIGIL_TYPE_PROCESS_START:
        case VIGIL_TYPE_PROCESS_EXIT:
            return ref_from<vigil_process_event>(ev);
        case VIGIL_TYPE_NETWORK:
            return ref_from<vigil_network_event>(ev);
        case VIGIL_TYPE_FILE:
            return ref_from<vigil_file_event>(ev);
        case VIGIL_TYPE_THREAT:
            return ref_from<vigil_threat_event>(ev);
        default:
            return {};
    }
}

bool valid_payload(const EventView& ev) {
    switch (ev.type_id) {
        case VIGIL_TYPE_PROCESS_START:
        case VIGIL_TYPE_PROCESS_EXIT:
            return vigil::view<vigil_process_event>(ev.payload, ev.payload_size).valid;
        case VIGIL_TYPE_NETWORK:
            return vigil::view<vigil_network_event>(ev.payload, ev.payload_size).valid;
        case VIGIL_TYPE_FILE:
            return vigil::view<vigil_file_event>(ev.payload, ev.payload_size).valid;
        default:
            return false;
    }
}

}  // namespace vigil::kataedr
