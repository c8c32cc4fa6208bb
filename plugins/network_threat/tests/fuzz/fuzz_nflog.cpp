// libFuzzer: a receive buffer from the NFLOG netlink socket, parsed and every
// packet in it decoded.
#include <cstddef>
#include <cstdint>

#include "nflog_parser.hpp"
#include "packet.hpp"
#include "signal.hpp"

using namespace vigil::network_threat;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    NflogParseStats st;
    parse_nflog_buffer({data, size}, st, [](const NflogRecord& r) {
        (void)parse_signal(r.prefix);
        Packet p;
        (void)decode_packet(r.payload, p);
    });
    return 0;
}
