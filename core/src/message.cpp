#include "message.hpp"

#include <cstring>
#include <ctime>
#include <mutex>
#include <new>
#include <set>

namespace vigil::core {

bool is_critical_type(uint32_t t) {
    return t == VIGIL_TYPE_THREAT || t == VIGIL_TYPE_ACTION_RESULT || t == VIGIL_TYPE_COMMAND ||
           t == VIGIL_TYPE_COMMAND_RESULT || t == VIGIL_TYPE_PLUGIN_STATUS;
}

std::string_view intern_name(std::string_view name) {
    static std::mutex mu;
    static std::set<std::string, std::less<>> names;
    std::lock_guard<std::mutex> g(mu);
    auto it = names.find(name);
    if (it == names.end()) it = names.emplace(name).first;
    return *it;
}

MessageRef make_message(const vigil_message& in, std::string_view source, uint64_t sequence) {
    void* mem = ::operator new(sizeof(BusMessage) + in.payload_size);
    auto* m = new (mem) BusMessage();
    m->env.struct_size = sizeof(vigil_message);
    m->env.type_id = in.type_id;
    m->env.schema_version = in.schema_version;
    m->env.flags = uint16_t(in.flags | (is_critical_type(in.type_id) ? VIGIL_MSG_FLAG_CRITICAL : 0));
    m->env.payload_size = in.payload_size;
    m->env.sequence = sequence;
    m->env.timestamp_ns = in.timestamp_ns ? in.timestamp_ns : realtime_ns();
    m->env.correlation_id = in.correlation_id;
    m->env.source = source.data();
    m->env.source_len = uint32_t(source.size());
    if (in.payload_size) std::memcpy(m->payload(), in.payload, in.payload_size);
    m->env.payload = m->payload();
    return MessageRef(m);
}

}  // namespace vigil::core
