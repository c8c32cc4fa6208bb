// Parsing of the netlink messages the kernel's nfnetlink_log sends (one
// receive buffer may hold many). Only framing and attribute bounds are
// checked here; the packet bytes are decoded by packet.hpp.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace vigil::network_threat {

struct NflogRecord {
    uint8_t family = 0;  // NFPROTO_IPV4 (2) or NFPROTO_IPV6 (10)
    uint16_t group = 0;
    uint8_t hook = 0;
    uint32_t in_ifindex = 0;
    std::string_view prefix;           // the rule's log prefix, without the NUL
    std::span<const uint8_t> payload;  // the packet from its network header
    int64_t timestamp_ns = 0;          // 0 when the kernel attached none
};

struct NflogParseStats {
    uint64_t records = 0;
    uint64_t malformed = 0;  // messages or attributes that lie about their length
    uint64_t errors = 0;     // NLMSG_ERROR messages (e.g. config acks with an error)
};

// Calls on_record(const NflogRecord&) for each packet message in `buffer`.
// Framing errors stop the walk (the rest of the buffer cannot be trusted).
template <class F>
void parse_nflog_buffer(std::span<const uint8_t> buffer, NflogParseStats& stats, F&& on_record);

// Parses one netlink message body (after the nlmsghdr); false when malformed.
bool parse_nflog_packet(std::span<const uint8_t> body, NflogRecord& out);

// The framing walk: returns the length of the next message at `buffer`
// (aligned), 0 when none is complete; sets `type` and `body`.
size_t next_netlink_message(std::span<const uint8_t> buffer, uint16_t& type, std::span<const uint8_t>& body,
                            bool& malformed);

// Message type of an nfnetlink_log packet message.
bool is_nflog_packet_type(uint16_t type);
bool is_netlink_error_type(uint16_t type);

template <class F>
void parse_nflog_buffer(std::span<const uint8_t> buffer, NflogParseStats& stats, F&& on_record) {
    while (!buffer.empty()) {
        uint16_t type = 0;
        std::span<const uint8_t> body;
        bool malformed = false;
        const size_t used = next_netlink_message(buffer, type, body, malformed);
        if (malformed) ++stats.malformed;
        if (used == 0) return;
        buffer = buffer.subspan(used);
        if (is_netlink_error_type(type)) {
            ++stats.errors;
            continue;
        }
        if (!is_nflog_packet_type(type)) continue;
        NflogRecord r;
        if (!parse_nflog_packet(body, r)) {
            ++stats.malformed;
            continue;
        }
        ++stats.records;
        on_record(static_cast<const NflogRecord&>(r));
    }
}

}  // namespace vigil::network_threat
