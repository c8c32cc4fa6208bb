// Vigil C++ SDK: reading and building flat bus payloads (events.h).
//
//   auto ev = msg.as<vigil_file_event>();          // safe against short payloads
//   std::string_view path = ev.str(ev->path);
//
//   vigil::PayloadBuilder<vigil_file_event> b;       // head + strings in one buffer
//   b.head().action = VIGIL_FILE_MODIFY;
//   b.head().path = b.add(path);
//   host.publish(VIGIL_TYPE_FILE, b);
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "events.h"

namespace vigil {


inline std::string_view str(const void* payload, vigil_sref s) {
    return s.len == 0 ? std::string_view{} : std::string_view(static_cast<const char*>(payload) + s.off, s.len);
}

// Reads a payload struct safely: fields beyond the payload's struct_size (an
// older publisher) read as zero, and a payload too short to hold its own
// struct_size yields nullopt-like `valid == false`.
template <class T>
struct PayloadView {
    T head{};
    const void* base = nullptr;
    uint32_t size = 0;
    bool valid = false;
    std::string_view str(vigil_sref s) const {
        if (s.len == 0 || uint64_t(s.off) + s.len > size) return {};
        return std::string_view(static_cast<const char*>(base) + s.off, s.len);
    }
    const T* operator->() const { return &head; }
};

template <class T>
PayloadView<T> view(const void* payload, uint32_t payload_size) {
    PayloadView<T> v;
    v.base = payload;
    v.size = payload_size;
    if (payload == nullptr || payload_size < sizeof(uint32_t)) return v;
    uint32_t declared;
    std::memcpy(&declared, payload, sizeof declared);
    uint32_t n = std::min<uint32_t>({declared, payload_size, uint32_t(sizeof(T))});
    std::memcpy(&v.head, payload, n);
    v.valid = declared >= sizeof(uint32_t) && declared <= payload_size;
    return v;
}

// Owning C++ form of vigil_process_ctx.
struct ProcessInfo {
    uint32_t flags = 0;
    uint32_t hash_status = VIGIL_HASH_NONE;  // vigil_hash_status
    int32_t pid = 0, ppid = 0;
    uint32_t uid = 0, euid = 0, gid = 0, egid = 0;
    uint64_t start_time_ns = 0, process_key = 0;
    uint64_t mnt_ns = 0, pid_ns = 0, net_ns = 0, user_ns = 0;
    std::vector<std::string> argv;
    std::string exe, cmdline, cwd, user, sha256, parent_exe, parent_cmdline, container_id, tty, comm;
};

// Builds a flat payload of head type T followed by its strings.
// Because add() may grow (move) the buffer, always reach the head through
// head(): `b.head().path = b.add(p);` is safe in C++17 (right side first).
template <class T>
class PayloadBuilder {
public:
    PayloadBuilder() : buf_(sizeof(T), 0) {
        head().struct_size = sizeof(T);
        buf_.reserve(sizeof(T) + 512);
    }
    T& head() { return *reinterpret_cast<T*>(buf_.data()); }
    vigil_sref add(std::string_view s) {
        if (s.empty()) return {0, 0};
        vigil_sref r{uint32_t(buf_.size()), uint32_t(s.size())};
        buf_.insert(buf_.end(), s.begin(), s.end());
        buf_.push_back('\0');
        return r;
    }
    void set(vigil_sref T::*field, std::string_view s) {
        auto r = add(s);
        head().*field = r;
    }
    // Fills an embedded vigil_process_ctx member from a ProcessInfo.
    void set_process(vigil_process_ctx T::*field, const ProcessInfo& p) {
        vigil_process_ctx c{};
        c.struct_size = sizeof(vigil_process_ctx);
        c.flags = p.flags;
        c.pid = p.pid;
        c.ppid = p.ppid;
        c.uid = p.uid;
        c.euid = p.euid;
        c.gid = p.gid;
        c.egid = p.egid;
        c.start_time_ns = p.start_time_ns;
        c.process_key = p.process_key;
        c.mnt_ns = p.mnt_ns;
        c.pid_ns = p.pid_ns;
        c.net_ns = p.net_ns;
        c.user_ns = p.user_ns;
        c.argc = uint32_t(p.argv.size());
        c.hash_status = p.hash_status;
        std::string argv;
        for (const auto& a : p.argv) {
            argv += a;
            argv.push_back('\0');
        }
        c.argv = add(argv);
        c.exe = add(p.exe);
        c.cmdline = add(p.cmdline);
        c.cwd = add(p.cwd);
        c.user = add(p.user);
        c.sha256 = add(p.sha256);
        c.parent_exe = add(p.parent_exe);
        c.parent_cmdline = add(p.parent_cmdline);
        c.container_id = add(p.container_id);
        c.tty = add(p.tty);
        c.comm = add(p.comm);
        head().*field = c;
    }
    const void* data() const { return buf_.data(); }
    uint32_t size() const { return uint32_t(buf_.size()); }

private:
    std::vector<char> buf_;
};

// The envelope of a message to publish: the payload is borrowed (it must
// outlive the publish call); source, sequence and time are the host's.
inline vigil_message envelope(uint32_t type, const void* payload, uint32_t size, uint64_t correlation_id = 0,
                              uint16_t schema_version = 1) {
    vigil_message m{};
    m.struct_size = sizeof m;
    m.type_id = type;
    m.schema_version = schema_version;
    m.payload = payload;
    m.payload_size = size;
    m.correlation_id = correlation_id;
    return m;
}
template <class T>
vigil_message envelope(uint32_t type, const PayloadBuilder<T>& b, uint64_t correlation_id = 0) {
    return envelope(type, b.data(), b.size(), correlation_id);
}

inline ProcessInfo read_process(const void* base, uint32_t size, const vigil_process_ctx& c) {
    auto s = [&](vigil_sref r) -> std::string {
        if (r.len == 0 || uint64_t(r.off) + r.len > size) return {};
        return std::string(static_cast<const char*>(base) + r.off, r.len);
    };
    ProcessInfo p;
    if (c.struct_size == 0) return p;
    p.flags = c.flags;
    p.hash_status = c.hash_status;
    p.pid = c.pid;
    p.ppid = c.ppid;
    p.uid = c.uid;
    p.euid = c.euid;
    p.gid = c.gid;
    p.egid = c.egid;
    p.start_time_ns = c.start_time_ns;
    p.process_key = c.process_key;
    p.mnt_ns = c.mnt_ns;
    p.pid_ns = c.pid_ns;
    p.net_ns = c.net_ns;
    p.user_ns = c.user_ns;
    std::string argv = s(c.argv);
    for (size_t pos = 0; pos < argv.size();) {
        size_t end = argv.find('\0', pos);
        if (end == std::string::npos) end = argv.size();
        p.argv.emplace_back(argv, pos, end - pos);
        pos = end + 1;
    }
    p.exe = s(c.exe);
    p.cmdline = s(c.cmdline);
    p.cwd = s(c.cwd);
    p.user = s(c.user);
    p.sha256 = s(c.sha256);
    p.parent_exe = s(c.parent_exe);
    p.parent_cmdline = s(c.parent_cmdline);
    p.container_id = s(c.container_id);
    p.tty = s(c.tty);
    p.comm = s(c.comm);
    return p;
}

}  // namespace vigil
