// ProcessItem and PortItem from /proc: processes with their sockets, and
// sockets with their owning processes.
#include <arpa/inet.h>
#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <unordered_map>
#include <unordered_set>
#include <vigil/common/user_names.hpp>

#include "collectors.hpp"
#include "value_match.hpp"

namespace vigil::ioc_scanner {

namespace {

std::string read_file(const std::string& path, size_t max = 1 << 20) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::string s(max, '\0');
    in.read(s.data(), std::streamsize(max));
    s.resize(size_t(in.gcount()));
    return s;
}

std::string read_link(const std::string& path) {
    char buf[4096];
    ssize_t n = readlink(path.c_str(), buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, size_t(n)) : std::string();
}

std::vector<int> list_pids(const std::string& proc) {
    std::vector<int> pids;
    std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(proc.c_str()), closedir);
    if (!d) return pids;
    while (auto* e = readdir(d.get())) {
        char* end = nullptr;
        long pid = strtol(e->d_name, &end, 10);
        if (*end == '\0' && pid > 0) pids.push_back(int(pid));
    }
    return pids;
}

double boot_time(const std::string& proc) {
    std::istringstream in(read_file(proc + "/stat"));
    std::string key;
    while (in >> key) {
        if (key == "btime") {
            double v = 0;
            in >> v;
            return v;
        }
        in.ignore(1 << 20, '\n');
    }
    return 0;
}

const char* tcp_state(int s) {
    static const char* names[] = {"UNKNOWN",    "ESTABLISHED", "SYN_SENT",  "SYN_RECV",
                                  "FIN_WAIT1",  "FIN_WAIT2",   "TIME_WAIT", "CLOSE",
                                  "CLOSE_WAIT", "LAST_ACK",    "LISTEN",    "CLOSING"};
    return s >= 0 && s <= 11 ? names[s] : "UNKNOWN";
}

struct ProcStat {
    std::string comm;
    int ppid = 0;
    uint64_t start_ticks = 0;
    bool ok = false;
};

ProcStat parse_stat(const std::string& s) {
    ProcStat st;
    auto open = s.find('('), close = s.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) return st;
    st.comm = s.substr(open + 1, close - open - 1);
    std::istringstream in(s.substr(close + 2));
    std::string field;
    // fields after comm start at 3 (state)
    for (int i = 3; i <= 22 && in >> field; ++i) {
        if (i == 4) st.ppid = std::atoi(field.c_str());
        if (i == 22) {
            st.start_ticks = std::strtoull(field.c_str(), nullptr, 10);
            st.ok = true;
        }
    }
    return st;
}

// inode -> pids owning a descriptor for it (one walk of every /proc/PID/fd)
std::unordered_map<uint64_t, std::vector<int>> socket_owners(const std::string& proc) {
    std::unordered_map<uint64_t, std::vector<int>> owners;
    for (int pid : list_pids(proc)) {
        const std::string fd_dir = proc + "/" + std::to_string(pid) + "/fd";
        std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(fd_dir.c_str()), closedir);
        if (!d) continue;
        while (auto* e = readdir(d.get())) {
            if (e->d_name[0] == '.') continue;
            std::string t = read_link(fd_dir + "/" + e->d_name);
            if (t.rfind("socket:[", 0) != 0) continue;
            uint64_t inode = std::strtoull(t.c_str() + 8, nullptr, 10);
            auto& v = owners[inode];
            if (v.empty() || v.back() != pid) v.push_back(pid);
        }
    }
    return owners;
}

}  // namespace

uint64_t process_start_ticks(int pid, const std::string& proc) {
    ProcStat st = parse_stat(read_file(proc + "/" + std::to_string(pid) + "/stat", 4096));
    return st.ok ? st.start_ticks : 0;
}

bool decode_proc_address(const std::string& hex, bool v6, std::string& ip, int& port) {
    auto colon = hex.find(':');
    if (colon == std::string::npos) return false;
    const std::string a = hex.substr(0, colon);
    port = int(std::strtol(hex.c_str() + colon + 1, nullptr, 16));
    char buf[64];
    if (!v6) {
        if (a.size() != 8) return false;
        uint32_t v =
            uint32_t(std::strtoul(a.c_str(), nullptr, 16));  // host (little-endian) order of the bytes
        snprintf(buf, sizeof buf, "%u.%u.%u.%u", v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >> 24) & 255);
        ip = buf;
        return true;
    }
    if (a.size() != 32) return false;
    unsigned char bytes[16];
    for (int w = 0; w < 4; ++w) {
        uint32_t v = uint32_t(std::strtoul(a.substr(size_t(w) * 8, 8).c_str(), nullptr, 16));
        for (int b = 0; b < 4; ++b) bytes[w * 4 + b] = (v >> (8 * b)) & 255;
    }
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(bytes, bytes + 12, mapped)) {
        snprintf(buf, sizeof buf, "%u.%u.%u.%u", bytes[12], bytes[13], bytes[14], bytes[15]);
        ip = buf;
        return true;
    }
    char out[64];
    std::string s;
    for (int i = 0; i < 16; i += 2) {
        snprintf(out, sizeof out, "%s%x", i ? ":" : "", (bytes[i] << 8) | bytes[i + 1]);
        s += out;
    }
    // Canonical text through the parser/inet_ntop round trip.
    if (auto p = parse_ip(s)) {
        char t[64];
        inet_ntop(AF_INET6, p->bytes.data(), t, sizeof t);
        ip = t;
    } else {
        ip = s;
    }
    return true;
}

std::vector<SocketInfo> read_sockets(const std::string& proc) {
    std::vector<SocketInfo> out;
    struct Source {
        const char* file;
        const char* proto;
        bool v6;
    };
    for (const Source& src : {Source{"tcp", "TCP", false}, Source{"tcp6", "TCP", true},
                              Source{"udp", "UDP", false}, Source{"udp6", "UDP", true}}) {
        std::istringstream in(read_file(proc + "/net/" + src.file, 64 << 20));
        for_each_table_row(in, TableHeader::Skip, [&](std::istringstream& ls) {
            std::string sl, local, remote, st, txrx, trtm, retr, uid, timeout, inode;
            if (!(ls >> sl >> local >> remote >> st >> txrx >> trtm >> retr >> uid >> timeout >> inode))
                return;
            SocketInfo s;
            s.protocol = src.proto;
            s.ipv6 = src.v6;
            s.inode = std::strtoull(inode.c_str(), nullptr, 10);
            if (!decode_proc_address(local, src.v6, s.local_ip, s.local_port) ||
                !decode_proc_address(remote, src.v6, s.remote_ip, s.remote_port))
                return;
            const int state = int(std::strtol(st.c_str(), nullptr, 16));
            if (src.proto[0] == 'U')
                s.state = state == 1 ? "ESTABLISHED" : "UNCONN";
            else
                s.state = tcp_state(state);
            out.push_back(std::move(s));
        });
    }
    return out;
}

namespace {

// The terms of one socket under one family (a process's handle or its port).
struct SocketTerms {
    TermId protocol, state, local_ip, local_port, remote_ip, remote_port;
};
constexpr SocketTerms kHandleSocketTerms{
    TermId::ProcHandleSocketProtocol,      TermId::ProcHandleSocketState,
    TermId::ProcHandleSocketLocalAddress,  TermId::ProcHandleSocketLocalPort,
    TermId::ProcHandleSocketRemoteAddress, TermId::ProcHandleSocketRemotePort};
constexpr SocketTerms kPortTerms{TermId::ProcPortProtocol, TermId::ProcPortState,
                                 TermId::ProcPortLocalIp,  TermId::ProcPortLocalPort,
                                 TermId::ProcPortRemoteIp, TermId::ProcPortRemotePort};

void add_socket(Record& r, const SocketInfo& s, const SocketTerms& t) {
    r.add(t.protocol, s.protocol);
    r.add(t.state, s.state);
    r.add(t.local_ip, s.local_ip);
    r.add(t.local_port, std::to_string(s.local_port));
    r.add(t.remote_ip, s.remote_ip);
    r.add(t.remote_port, std::to_string(s.remote_port));
}

// Distinct mapped files, in address order.
void add_mapped_files(Record& r, const std::string& base) {
    std::istringstream in(read_file(base + "/maps", 16 << 20));
    std::string line;
    std::unordered_set<std::string> seen;
    while (std::getline(in, line)) {
        auto slash = line.find(" /");
        if (slash == std::string::npos) continue;
        std::string file = line.substr(slash + 1);
        if (seen.insert(file).second) r.add(TermId::ProcMemorySectionName, file);
    }
}

// Open file descriptors; sockets with their address and port (known TCP/UDP sockets).
void add_handles(Record& r, const std::string& base,
                 const std::unordered_map<uint64_t, const SocketInfo*>& by_inode) {
    const std::string fd_dir = base + "/fd";
    std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(fd_dir.c_str()), closedir);
    while (d && (true)) {
        auto* e = readdir(d.get());
        if (!e) break;
        if (e->d_name[0] == '.') continue;
        std::string target = read_link(fd_dir + "/" + e->d_name);
        if (target.empty()) continue;
        r.add(TermId::ProcHandleName, target);
        r.add(TermId::ProcHandleFd, e->d_name);
        std::string type = "file";
        if (target.rfind("socket:[", 0) == 0)
            type = "socket";
        else if (target.rfind("pipe:[", 0) == 0)
            type = "pipe";
        else if (target.rfind("anon_inode:", 0) == 0)
            type = "anon_inode";
        r.add(TermId::ProcHandleType, type);
        if (type == "socket") {
            const uint64_t inode = std::strtoull(target.c_str() + 8, nullptr, 10);
            r.add(TermId::ProcHandleINode, std::to_string(inode));
            auto it = by_inode.find(inode);
            if (it == by_inode.end()) continue;  // unix or netlink socket
            const SocketInfo& s = *it->second;
            r.add(TermId::ProcHandleSocketType, s.protocol == "TCP" ? "SOCK_STREAM" : "SOCK_DGRAM");
            add_socket(r, s, kHandleSocketTerms);
            add_socket(r, s, kPortTerms);
        }
    }
}

}  // namespace

std::vector<Record> collect_processes(const CollectOptions& o) {
    std::vector<Record> out;
    const double btime = boot_time(o.proc);
    const long hz = sysconf(_SC_CLK_TCK);
    std::unordered_map<uint64_t, const SocketInfo*> by_inode;
    std::vector<SocketInfo> sockets;
    if (o.handles) {
        sockets = read_sockets(o.proc);
        for (const auto& s : sockets) by_inode[s.inode] = &s;
    }
    for (int pid : list_pids(o.proc)) {
        const std::string base = o.proc + "/" + std::to_string(pid);
        ProcStat st = parse_stat(read_file(base + "/stat", 4096));
        if (!st.ok) continue;  // exited meanwhile
        Record r;
        r.document = Document::Process;
        r.pid = pid;
        r.start_ticks = st.start_ticks;
        std::string exe = read_link(base + "/exe");
        if (const std::string del = " (deleted)"; exe.size() > del.size() && exe.ends_with(del))
            exe.resize(exe.size() - del.size());
        r.exe = exe;
        std::string cmd = read_file(base + "/cmdline", 256 << 10);
        while (!cmd.empty() && cmd.back() == '\0') cmd.pop_back();
        for (auto& c : cmd)
            if (c == '\0') c = ' ';
        std::string name = st.comm;
        std::string dir;
        if (!exe.empty()) {
            auto slash = exe.rfind('/');
            name = exe.substr(slash + 1);
            dir = slash == 0 ? "/" : exe.substr(0, slash);
        }
        uid_t uid = 0;
        {
            std::istringstream in(read_file(base + "/status", 64 << 10));
            std::string line;
            while (std::getline(in, line))
                if (line.rfind("Uid:", 0) == 0) {
                    uid = uid_t(std::strtoul(line.c_str() + 4, nullptr, 10));
                    break;
                }
        }
        r.object = "pid " + std::to_string(pid) + " (" + name + ")";
        r.add(TermId::ProcName, name);
        r.add(TermId::ProcPid, std::to_string(pid));
        r.add(TermId::ProcParentPid, std::to_string(st.ppid));
        r.add(TermId::ProcPath, dir);
        r.add(TermId::ProcArguments, cmd);
        r.add(TermId::ProcUsername, vigil::common::user_name_or_id(uid));
        r.add(TermId::ProcSecurityId, std::to_string(uid));
        if (hz > 0)
            r.add(TermId::ProcStartTime,
                  format_iso8601(int64_t(btime + double(st.start_ticks) / double(hz))));
        if (o.maps) add_mapped_files(r, base);
        if (o.handles) add_handles(r, base, by_inode);
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<Record> collect_ports(const CollectOptions& o) {
    std::vector<Record> out;
    auto owners = socket_owners(o.proc);
    for (const auto& s : read_sockets(o.proc)) {
        std::vector<int> pids;
        if (auto it = owners.find(s.inode); it != owners.end()) pids = it->second;
        if (pids.empty()) pids.push_back(0);  // time-wait sockets, other namespaces
        for (int pid : pids) {
            Record r;
            r.document = Document::Port;
            r.pid = pid;
            std::string exe, name;
            if (pid > 0) {
                const std::string base = o.proc + "/" + std::to_string(pid);
                r.start_ticks = process_start_ticks(pid, o.proc);
                exe = read_link(base + "/exe");
                name = exe.empty() ? parse_stat(read_file(base + "/stat", 4096)).comm
                                   : exe.substr(exe.rfind('/') + 1);
            }
            r.exe = exe;
            auto addr = [](const std::string& ip, int port, bool v6) {
                return (v6 ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
            };
            r.object = s.protocol + " " + addr(s.local_ip, s.local_port, s.ipv6) + " -> " +
                       addr(s.remote_ip, s.remote_port, s.ipv6) + " " + s.state +
                       (pid > 0 ? " pid " + std::to_string(pid) + " (" + name + ")" : std::string());
            r.add(TermId::PortLocalIp, s.local_ip);
            r.add(TermId::PortLocalPort, std::to_string(s.local_port));
            r.add(TermId::PortRemoteIp, s.remote_ip);
            r.add(TermId::PortRemotePort, std::to_string(s.remote_port));
            r.add(TermId::PortProtocol, s.protocol);
            r.add(TermId::PortState, s.state);
            r.add(TermId::PortPid, std::to_string(pid));
            r.add(TermId::PortProcess, name);
            r.add(TermId::PortPath, exe);
            r.add(TermId::PortIsIpv6, s.ipv6 ? "true" : "false");
            out.push_back(std::move(r));
        }
    }
    return out;
}

}  // namespace vigil::ioc_scanner
