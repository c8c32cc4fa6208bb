// libFuzzer: one logged packet through the decoder and the whole detection
// engine. The first byte picks the signal (the rule that logged it).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine.hpp"
#include "packet.hpp"

using namespace vigil::network_threat;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Engine engine{EngineConfig{}};
    static int64_t now = 0;
    if (size < 1) return 0;
    const Signal signal = Signal(data[0] % 14);
    Packet p;
    if (decode_packet({data + 1, size - 1}, p) != DecodeError::none) return 0;
    std::vector<Finding> out;
    now += 37;
    engine.observe(signal, p, now, out);
    if ((now / 37) % 64 == 0) {
        Distress d;
        d.valid = true;
        d.tcp_incomplete_per_s = data[0];
        d.udp_dropped_per_s = size;
        engine.tick(now, d, out);
    }
    return 0;
}
