// Collectors of the small OpenIOC documents on Linux. Each returns one Record
// per item with the values of the catalog's terms. Roots are parameters so
// tests can point them at fixtures.
#pragma once

#include <istream>
#include <sstream>
#include <string>
#include <vector>

#include "item_view.hpp"

namespace vigil::ioc_scanner {

struct CollectOptions {
    std::string proc = "/proc";
    std::string etc = "/etc";
    bool handles = false;  // ProcessItem HandleList / PortList (reads every /proc/PID/fd)
    bool maps = false;     // ProcessItem SectionList (reads every /proc/PID/maps)
    // systemd unit directories, highest priority first
    std::vector<std::string> unit_dirs = {"/etc/systemd/system", "/run/systemd/system",
                                          "/usr/lib/systemd/system", "/lib/systemd/system"};
    bool query_systemctl = true;  // unit status from `systemctl list-units` when systemd runs
    bool operator==(const CollectOptions&) const = default;
};

// One socket from /proc/net/{tcp,tcp6,udp,udp6}.
struct SocketInfo {
    uint64_t inode = 0;
    std::string protocol;  // "TCP" or "UDP"
    bool ipv6 = false;
    std::string local_ip, remote_ip, state;
    int local_port = 0, remote_port = 0;
};

// Calls row(fields) with a stream over each line of a /proc table (lines of
// whitespace-separated fields), after its header line when it has one.
enum class TableHeader { None, Skip };
template <class Row>
void for_each_table_row(std::istream& in, TableHeader header, Row&& row) {
    std::string line;
    if (header == TableHeader::Skip) std::getline(in, line);
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        row(fields);
    }
}

std::vector<SocketInfo> read_sockets(const std::string& proc);
// Decodes a /proc/net address "0100007F:1F90" (v4) or 32 hex digits (v6).
bool decode_proc_address(const std::string& hex, bool v6, std::string& ip, int& port);

std::vector<Record> collect_processes(const CollectOptions& o);
std::vector<Record> collect_ports(const CollectOptions& o);
std::vector<Record> collect_arp(const CollectOptions& o);
std::vector<Record> collect_routes(const CollectOptions& o);
std::vector<Record> collect_dns(const CollectOptions& o);
std::vector<Record> collect_users(const CollectOptions& o);
std::vector<Record> collect_system_info(const CollectOptions& o);
std::vector<Record> collect_services(const CollectOptions& o);

// /proc/PID/stat field 22 (start time in clock ticks since boot); 0 when gone.
uint64_t process_start_ticks(int pid, const std::string& proc = "/proc");

}  // namespace vigil::ioc_scanner
