// The server name a TLS client asks for, read from its ClientHello before
// anything is sent upstream. The ClientHello may be split over several TCP
// segments and several TLS records (post-quantum key shares make it ~2 KB,
// beyond one segment): bytes are fed as they arrive and the handshake
// message is reassembled up to kMaxClientHello bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::web_threat {

struct ClientHello {
    std::string sni;                 // the host_name entry of server_name, as sent ("" when absent)
    std::vector<std::string> alpn;   // application protocols offered
    bool ech = false;                // an encrypted_client_hello extension is present
    uint16_t legacy_version = 0;
};

class ClientHelloParser {
public:
    static constexpr size_t kMaxClientHello = 16384;

    enum class State : uint8_t {
        need_more,  // feed more bytes
        done,       // hello() is valid
        not_tls,    // the first bytes are not a TLS handshake record
        malformed,  // a TLS handshake that breaks the format (why())
        too_large,  // the ClientHello is larger than kMaxClientHello
    };

    // Feeds the next bytes the client sent (all of them, from the first);
    // returns the state after them. Bytes after the ClientHello are ignored.
    State feed(std::string_view bytes);
    State state() const { return state_; }
    const ClientHello& hello() const { return hello_; }
    const std::string& why() const { return why_; }

private:
    State fail(State s, std::string why);
    State parse_message();

    State state_ = State::need_more;
    std::string records_;   // raw bytes not yet consumed as whole records
    std::string message_;   // the handshake message reassembled from record payloads
    ClientHello hello_;
    std::string why_;
};

// Parses a complete ClientHello handshake body (after the 4-byte handshake
// header); false with `why` when it breaks the format.
bool parse_client_hello_body(std::string_view body, ClientHello& out, std::string& why);

// A fatal TLS alert record: unrecognized_name(112) makes browsers show a
// stable error (Chromium: ERR_SSL_UNRECOGNIZED_NAME_ALERT).
std::string tls_alert_record(uint8_t description = 112);

}  // namespace vigil::web_threat
