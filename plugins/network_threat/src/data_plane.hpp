// The plugin's nftables table in the kernel: apply it whole, add and remove
// timed elements, read back what the kernel holds (with the remaining time
// of each element), and tell whether the table is still there. Thread-safe
// (the runner serialises transactions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <vigil/common/nft.hpp>

#include "ruleset.hpp"

namespace vigil::network_threat {

struct KernelElement {
    common::IpPrefix prefix;
    std::string set;         // ban4, ban6, ban6net, attack4, attack6
    int64_t expires_ms = 0;  // remaining time as the kernel reports it
};

// Parses nft durations as listed: "1d2h3m4s5ms", "59m58s852ms"; nullopt when malformed.
std::optional<int64_t> parse_nft_duration_ms(std::string_view text);
// The elements of a timed set from `nft list set` text output.
std::vector<KernelElement> parse_set_listing(std::string_view text, std::string_view set);

class DataPlane {
public:
    explicit DataPlane(std::string table) : table_(std::move(table)) {}

    // Replaces the table atomically; throws std::runtime_error with nft's message.
    void apply(const DataPlaneSpec& spec);
    void add(const TimedPrefix& t, bool attack);
    void remove(const common::IpPrefix& p, bool attack);
    void set_allow(const std::vector<common::IpPrefix>& allow);
    void remove_table();
    bool exists();
    // Every timed element of the ban and attack sets.
    std::vector<KernelElement> list();
    // Packets dropped by the ban rules so far (0 when unknown).
    uint64_t banned_packets();
    const std::string& table() const { return table_; }

private:
    void run(const std::string& text, const char* what);
    std::string table_;
    common::nft::Runner nft_;
};

}  // namespace vigil::network_threat
