// libFuzzer: a bus message as vigilctl events renders it. Payloads come from
// plugins (third-party code among them): every view is bounds-checked, and
// the output must always be valid JSON whatever bytes the strings hold.
// Input: 4 bytes type id selector, then the payload.
#include <rapidjson/document.h>

#include <cstdint>
#include <cstring>
#include <string>

#include <vigil/events.h>

#include "event_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 4) return 0;
    uint32_t sel;
    std::memcpy(&sel, data, 4);
    vigil_message m{};
    m.struct_size = sizeof m;
    m.type_id = sel % (VIGIL_TYPE_CORE_LAST + 2);  // every core type and one custom
    m.payload = size > 4 ? data + 4 : nullptr;
    m.payload_size = uint32_t(size - 4);
    m.source = "fuzz";
    m.source_len = 4;
    const std::string json = vigil::core::message_to_json(m, "type");
    rapidjson::Document d;
    d.Parse(json.c_str(), json.size());
    if (d.HasParseError() || !d.IsObject()) __builtin_trap();
    return 0;
}
