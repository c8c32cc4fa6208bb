// libFuzzer: bytes a client sends first on a TLS port, fed to the ClientHello
// parser in two pieces (the first byte picks the split); the result must not
// depend on the split.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "client_hello.hpp"

using namespace vigil::web_threat;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string_view wire(reinterpret_cast<const char*>(data) + 1, size - 1);
    const size_t cut = wire.empty() ? 0 : (size_t(data[0]) * 131) % (wire.size() + 1);
    ClientHelloParser whole, split;
    const auto a = whole.feed(wire);
    split.feed(wire.substr(0, cut));
    const auto b = split.feed(wire.substr(cut));
    if (a != b) std::abort();
    if (a == ClientHelloParser::State::done && whole.hello().sni != split.hello().sni) std::abort();
    ClientHello h;
    std::string why;
    (void)parse_client_hello_body(wire, h, why);
    return 0;
}
