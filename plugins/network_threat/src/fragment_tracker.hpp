// IP fragment anomalies seen before reassembly: overlapping fragments
// (teardrop and its kin), a datagram reassembling beyond 65,535 bytes
// (ping of death), and tiny non-final fragments (splitting the transport
// header to slip past filters, nmap -f). Bounded memory: datagrams are
// forgotten after 30 s and the table holds at most `capacity` of them.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "packet.hpp"

namespace vigil::network_threat {

enum class FragmentAnomaly : uint8_t { none, overlap, oversize, tiny };
std::string_view fragment_anomaly_name(FragmentAnomaly a);

class FragmentTracker {
public:
    explicit FragmentTracker(size_t capacity = 4096) : capacity_(capacity) {}
    // Non-final fragments carrying fewer bytes than this are "tiny".
    static constexpr uint32_t kTinyFragment = 128;

    FragmentAnomaly observe(const Packet& p, int64_t now_ms);
    size_t size() const { return map_.size(); }

private:
    struct Key {
        IpAddress src, dst;
        uint32_t id = 0;
        uint8_t protocol = 0;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        size_t operator()(const Key& k) const noexcept;
    };
    struct Datagram {
        int64_t first_ms = 0;
        std::vector<std::pair<uint32_t, uint32_t>> ranges;  // [begin, end)
    };
    void expire(int64_t now_ms);

    size_t capacity_;
    int64_t last_expire_ms_ = 0;
    std::unordered_map<Key, Datagram, KeyHash> map_;
};

}  // namespace vigil::network_threat
