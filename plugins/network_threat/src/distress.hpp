// Whether the host's stack is suffering, from the kernel's own counters in
// /proc/net/netstat and /proc/net/snmp (per network namespace): handshakes
// that never complete (SYN-ACKs reset or unanswered, SYN cookies, listen
// queue drops) and UDP datagrams dropped for lack of buffer. A high packet
// rate alone never makes a flood; a rate plus distress does.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::network_threat {

struct Distress {
    bool valid = false;
    double tcp_incomplete_per_s =
        0;  // EmbryonicRsts + SyncookiesSent + TCPReqQFullDrop + ListenDrops + SYN-ACK retransmits
    double udp_dropped_per_s = 0;  // Udp RcvbufErrors + MemErrors (+ Udp6)
};

// "TcpExt: A B\nTcpExt: 1 2\n" -> {"TcpExt.A": 1, "TcpExt.B": 2}. Lines that
// do not pair up are skipped.
std::map<std::string, uint64_t> parse_snmp_counters(std::string_view text);

class DistressMonitor {
public:
    explicit DistressMonitor(std::string proc_net = "/proc/net") : proc_net_(std::move(proc_net)) {}
    // Samples the counters; returns the rates since the previous sample
    // (invalid for the first one or when the files cannot be read).
    Distress sample(int64_t now_ms);
    // Rates from two counter snapshots `ms` apart (exposed for tests).
    static Distress rates(const std::map<std::string, uint64_t>& before,
                          const std::map<std::string, uint64_t>& after, int64_t ms);

private:
    std::string proc_net_;
    std::map<std::string, uint64_t> last_;
    int64_t last_ms_ = 0;
};

}  // namespace vigil::network_threat
