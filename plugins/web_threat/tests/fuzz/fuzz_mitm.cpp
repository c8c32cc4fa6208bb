// libFuzzer: what the encrypted connections scan reads from others. First
// byte 0: bytes a client sends to the worker's TLS server side (under a
// minted certificate); 1: bytes a site sends to the worker's TLS client side
// (its certificate checked); 2: a name for the exclusions and a URL for
// host_of_url. The TLS ends run on memory BIOs with no socket; whatever
// comes decrypted goes through the decrypted-request inspector.
#include <openssl/err.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "inspector.hpp"
#include "list_parser.hpp"
#include "mitm_context.hpp"
#include "mitm_tls.hpp"

using namespace vigil::web_threat;

namespace {

MitmContext& context() {
    static MitmContext m(generate_ca("Fuzz", 2), MitmSettings{}, builtin_mitm_exclusions());
    return m;
}

const Policy& policy() {
    static const Policy p = [] {
        ListSetBuilder b;
        parse_list_text(b, ListSpec{.name = "bad"}, "blocked.test\n", "fuzz");
        return Policy{.blocked = b.finish(), .trusted = build_trusted({})};
    }();
    return p;
}

void drive(TlsEnd& tls, std::string_view bytes) {
    tls.push(bytes);
    if (tls.handshake() != TlsEnd::Step::done) return;
    (void)SSL_get_verify_result(tls.ssl());
    std::vector<char> scratch(16384);
    std::string plain;
    tls.read(plain, scratch, 1 << 16);
    ConnectionInspector insp(policy(), *vigil::common::parse_ip_address("10.9.0.2"));
    insp.decrypted();
    (void)insp.feed(plain);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    MitmContext& m = context();
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    Side side;  // no socket: only what was pushed is read
    if (data[0] % 3 == 0) {
        TlsEnd server(m.towards_client(), side, true);
        const X509Ptr leaf = m.leaves().certificate("fuzz.test");
        SSL_use_certificate(server.ssl(), leaf.get());
        SSL_use_PrivateKey(server.ssl(), m.leaves().key());
        drive(server, rest);
    } else if (data[0] % 3 == 1) {
        TlsEnd client(m.towards_site(), side, false);
        SSL_set_tlsext_host_name(client.ssl(), "fuzz.test");
        SSL_set1_host(client.ssl(), "fuzz.test");
        (void)client.handshake();  // the ClientHello goes into the output BIO first
        drive(client, rest);
    } else {
        const std::string host = host_of_url(rest);
        try {
            MitmExclusions ex({std::string(rest)}, 60);
            (void)ex.excluded(host);
        } catch (const std::runtime_error&) {
        }
        (void)m.scans(host);
    }
    ERR_clear_error();
    return 0;
}
