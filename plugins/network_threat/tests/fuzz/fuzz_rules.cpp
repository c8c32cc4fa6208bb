// libFuzzer: rules text through the Suricata-subset parser; what parses is
// matched against a few packets.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rules.hpp"

using namespace vigil::network_threat;

namespace {
const uint8_t kPacket[] = {0x45, 0,    0,    60,   0,   1,   0,   0,   64,  6,
                           0,    0,    10,   0,    0,   2,   10,  0,   0,   1,  // IPv4
                           0x9c, 0x40, 0,    80,   0,   0,   0,   0,   0,   0,
                           0,    0,    0x50, 0x18, 4,   0,   0,   0,   0,   0,  // TCP
                           'G',  'E',  'T',  ' ',  '/', '.', '.', '/', 'e', 't',
                           'c',  ' ',  '(',  ')',  ' ', '{', ';', '}', 'x', 'y'};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        auto set = RuleSet::parse(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
        Packet p;
        decode_packet(kPacket, p);
        (void)set.match(p);
        (void)set.capture_ports(6);
        (void)set.capture_ports(17);
    } catch (const RuleError&) {
    }
    return 0;
}
