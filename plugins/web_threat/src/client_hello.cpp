#include "client_hello.hpp"

namespace vigil::web_threat {

namespace {

constexpr uint8_t kHandshake = 22;
constexpr uint8_t kClientHello = 1;
constexpr uint16_t kExtServerName = 0, kExtAlpn = 16, kExtEch = 0xfe0d;

// A bounds-checked reader over a byte string.
class Reader {
public:
    explicit Reader(std::string_view s) : s_(s) {}
    bool u8(uint8_t& v) {
        if (s_.size() < 1) return false;
        v = uint8_t(s_[0]);
        s_.remove_prefix(1);
        return true;
    }
    bool u16(uint16_t& v) {
        if (s_.size() < 2) return false;
        v = uint16_t(uint8_t(s_[0]) << 8 | uint8_t(s_[1]));
        s_.remove_prefix(2);
        return true;
    }
    bool bytes(size_t n, std::string_view& out) {
        if (s_.size() < n) return false;
        out = s_.substr(0, n);
        s_.remove_prefix(n);
        return true;
    }
    // A block with a length prefix of `width` bytes (1 or 2).
    bool block(int width, std::string_view& out) {
        uint16_t n = 0;
        uint8_t n8 = 0;
        if (width == 1 ? !u8(n8) : !u16(n)) return false;
        return bytes(width == 1 ? n8 : n, out);
    }
    bool empty() const { return s_.empty(); }

private:
    std::string_view s_;
};

// The entries of an extension that is one 2-byte-length list: `entry` reads
// one entry from the list reader, false when it is malformed.
template <class Entry>
bool each_entry(std::string_view ext, const char* what, std::string& why, Entry&& entry) {
    Reader r(ext);
    std::string_view list;
    if (!r.block(2, list) || !r.empty()) return why = std::string("bad ") + what + " extension", false;
    for (Reader items(list); !items.empty();)
        if (!entry(items)) return why.empty() ? (why = std::string("bad ") + what + " entry", false) : false;
    return true;
}

bool parse_server_name(std::string_view ext, ClientHello& out, std::string& why) {
    return each_entry(ext, "server_name", why, [&](Reader& names) {
        uint8_t type = 0;
        std::string_view name;
        if (!names.u8(type) || !names.block(2, name)) return false;
        if (type == 0 && out.sni.empty()) {
            if (name.empty()) return why = "empty host_name", false;
            out.sni.assign(name);
        }
        return true;
    });
}

bool parse_alpn(std::string_view ext, ClientHello& out, std::string& why) {
    return each_entry(ext, "ALPN", why, [&](Reader& protos) {
        std::string_view p;
        if (!protos.block(1, p)) return false;
        if (out.alpn.size() < 16) out.alpn.emplace_back(p);
        return true;
    });
}

}  // namespace

bool parse_client_hello_body(std::string_view body, ClientHello& out, std::string& why) {
    Reader r(body);
    std::string_view random, session, suites, compression, extensions;
    if (!r.u16(out.legacy_version) || !r.bytes(32, random)) return why = "truncated ClientHello", false;
    if (!r.block(1, session) || session.size() > 32) return why = "bad session id", false;
    if (!r.block(2, suites) || suites.empty() || suites.size() % 2) return why = "bad cipher suites", false;
    if (!r.block(1, compression) || compression.empty()) return why = "bad compression methods", false;
    if (r.empty()) return true;  // no extensions (SSL 3.0 style): no SNI
    if (!r.block(2, extensions) || !r.empty()) return why = "bad extensions block", false;
    Reader ext(extensions);
    while (!ext.empty()) {
        uint16_t type = 0;
        std::string_view data;
        if (!ext.u16(type) || !ext.block(2, data)) return why = "truncated extension", false;
        if (type == kExtServerName && !parse_server_name(data, out, why)) return false;
        if (type == kExtAlpn && !parse_alpn(data, out, why)) return false;
        if (type == kExtEch) out.ech = true;
    }
    return true;
}

ClientHelloParser::State ClientHelloParser::fail(State s, std::string why) {
    why_ = std::move(why);
    records_.clear();
    message_.clear();
    return state_ = s;
}

ClientHelloParser::State ClientHelloParser::feed(std::string_view bytes) {
    if (state_ != State::need_more) return state_;
    // Memory stays bounded: whole records are consumed below, so records_
    // keeps at most one partial record (<= 18 KiB) beyond this call's bytes.
    records_.append(bytes);
    // Whole records: 1 type, 2 version, 2 length, payload.
    while (records_.size() >= 5) {
        const auto type = uint8_t(records_[0]), major = uint8_t(records_[1]);
        const size_t len = size_t(uint8_t(records_[3])) << 8 | uint8_t(records_[4]);
        if (type != kHandshake || major != 3)
            return message_.empty() ? fail(State::not_tls, "not a TLS handshake record")
                                    : fail(State::malformed, "a non-handshake record inside the ClientHello");
        if (len == 0 || len > 16384 + 2048) return fail(State::malformed, "bad record length");
        if (records_.size() < 5 + len) break;
        message_.append(records_, 5, len);
        records_.erase(0, 5 + len);
        if (message_.size() > kMaxClientHello + 4) return fail(State::too_large, "ClientHello larger than 16 KiB");
        if (State s = parse_message(); s != State::need_more) return s;
    }
    return state_;
}

ClientHelloParser::State ClientHelloParser::parse_message() {
    if (message_.size() < 4) return State::need_more;
    if (uint8_t(message_[0]) != kClientHello) return fail(State::malformed, "first handshake message is not a ClientHello");
    const size_t len = size_t(uint8_t(message_[1])) << 16 | size_t(uint8_t(message_[2])) << 8 | uint8_t(message_[3]);
    if (len > kMaxClientHello) return fail(State::too_large, "ClientHello larger than 16 KiB");
    if (message_.size() < 4 + len) return State::need_more;
    std::string why;
    if (!parse_client_hello_body(std::string_view(message_).substr(4, len), hello_, why))
        return fail(State::malformed, why);
    records_.clear();
    message_.clear();
    return state_ = State::done;
}

std::string tls_alert_record(uint8_t description) {
    // Record: alert(21), TLS 1.2 record version, length 2; level fatal(2), description.
    return std::string{char(21), char(3), char(3), char(0), char(2), char(2), char(description)};
}

}  // namespace vigil::web_threat
