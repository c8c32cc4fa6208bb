// libFuzzer: bus messages through the OCSF converter, as the connector uploads
// them. Payloads come from plugins; the converter must stay inside them, and
// every event it accepts must be one valid JSON object.
// Input: 4 bytes type id selector, then the payload.
#include <rapidjson/document.h>

#include <cstdint>
#include <cstring>
#include <string>

#include <vigil/events.h>

#include "ocsf_converter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 4) return 0;
    uint32_t sel;
    std::memcpy(&sel, data, 4);
    vigil::kataedr::EventView ev;
    ev.type_id = sel % (VIGIL_TYPE_CORE_LAST + 2);
    ev.payload = size > 4 ? data + 4 : nullptr;
    ev.payload_size = uint32_t(size - 4);
    ev.time_ns = 1700000000000000000ull;
    ev.bus_sequence = 7;
    ev.source = "fuzz";
    (void)vigil::kataedr::convertible_type(ev.type_id);
    (void)vigil::kataedr::event_kind(ev);
    (void)vigil::kataedr::actor_of(ev);
    const vigil::kataedr::OcsfContext ctx{"agent-1", "host", "0.1.0"};
    std::string out;
    if (vigil::kataedr::append_ocsf(ctx, ev, 42, out)) {
        rapidjson::Document d;
        d.Parse(out.c_str(), out.size());
        if (d.HasParseError() || !d.IsObject()) __builtin_trap();
    } else if (!out.empty()) {
        __builtin_trap();  // refused events append nothing
    }
    return 0;
}
