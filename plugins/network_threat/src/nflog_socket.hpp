// The receiving end of the plugin's NFLOG group: a netlink socket bound to
// one nfnetlink_log group in the caller's network namespace, configured to
// copy packets (up to the largest snap length the rules ask for) and to
// batch messages for a few milliseconds. Losses (the socket buffer filled
// up: ENOBUFS) are counted, never fatal.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace vigil::network_threat {

class NflogSocket {
public:
    // Binds group `group`; throws std::system_error naming what failed
    // (e.g. another program already owns the group).
    explicit NflogSocket(uint16_t group, uint32_t copy_range = 2048);
    ~NflogSocket();
    NflogSocket(const NflogSocket&) = delete;
    NflogSocket& operator=(const NflogSocket&) = delete;

    int fd() const { return fd_; }
    // Receives one buffer (non-blocking): empty when nothing is pending.
    std::span<const uint8_t> receive();
    uint64_t lost() const { return lost_; }  // ENOBUFS events (each may hide many packets)

private:
    void config(uint8_t command_attr, const void* value, size_t len);
    int fd_ = -1;
    uint16_t group_ = 0;
    uint32_t seq_ = 0;
    uint64_t lost_ = 0;
    std::vector<uint8_t> buf_;
};

}  // namespace vigil::network_threat
