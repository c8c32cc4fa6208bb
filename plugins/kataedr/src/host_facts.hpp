// Facts about this host for the heartbeat: OS, kernel, addresses.
#pragma once

#include <string>
#include <vector>

namespace vigil::kataedr {

struct HostFacts {
    std::string hostname;
    std::string os;                 // PRETTY_NAME of /etc/os-release
    std::string kernel;             // "Linux 6.1.0-18-amd64 #1 SMP ... x86_64"
    std::vector<std::string> ips;   // non-loopback addresses (all when there are none)
    std::vector<std::string> macs;  // of interfaces with a hardware address
};

HostFacts collect_host_facts(const std::string& os_release_path = "/etc/os-release");
// PRETTY_NAME (or NAME VERSION) from os-release text.
std::string os_pretty_name(const std::string& os_release_text);

}  // namespace vigil::kataedr
