#include "record_decoder.hpp"

#include <linux/types.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>

#include "process/proc_reader.hpp"
#include "process/process_record.hpp"
#include "sensor_events.h"

namespace vigil::behavior {

namespace {

std::string path_of(const vb_path& p) {
    if (p.off >= VB_PATH_HALF) return {};
    return std::string(p.buf + p.off, strnlen(p.buf + p.off, VB_PATH_HALF - p.off));
}

std::string cstr(const char* s, size_t max) { return std::string(s, strnlen(s, max)); }

// kernel dev_t (major << 20 | minor) → the st_dev user space sees.
uint64_t user_dev(uint64_t kdev) { return makedev(unsigned(kdev >> 20), unsigned(kdev & 0xfffff)); }

// Kernel tty names lack the slash ("pts3"); /proc and users say "pts/3".
std::string tty_name(std::string t) {
    if (t.size() > 3 && t.compare(0, 3, "pts") == 0 && std::isdigit(static_cast<unsigned char>(t[3])))
        return "pts/" + t.substr(3);
    return t;
}

std::string join_file(const vb_path& dir, const char* name) {
    std::string n = cstr(name, VB_NAME_MAX);
    if (n.empty()) return path_of(dir);
    if (n[0] == '/') return n;
    std::string d = path_of(dir);
    while (n.size() >= 2 && n[0] == '.' && n[1] == '/') n.erase(0, 2);
    if (n == ".") return d;
    return d == "/" ? "/" + n : d + "/" + n;
}

void decode_exec(const vb_header& h, const vb_exec& e, SensorSink& sink) {
    ExecEvent ev;
    ev.pid = int32_t(h.tgid);
    ev.ppid = int32_t(h.ppid);
    ProcessRecord rec;
    auto& i = rec.info;
    i.pid = ev.pid;
    i.ppid = ev.ppid;
    i.uid = h.uid;
    i.euid = e.euid;
    i.gid = e.gid;
    i.egid = e.egid;
    rec.start_boottime_ns = e.start_boottime_ns;
    i.start_time_ns = ProcReader::boottime_to_realtime(e.start_boottime_ns);
    i.process_key = make_process_key(i.pid, e.start_boottime_ns);
    i.mnt_ns = e.mnt_ns;
    i.pid_ns = e.pid_ns;
    i.net_ns = e.net_ns;
    i.user_ns = e.user_ns;
    i.comm = cstr(e.comm, sizeof e.comm);
    i.exe = path_of(e.exe);
    i.cwd = path_of(e.cwd);
    uint32_t n = std::min<uint32_t>(e.args_len, VB_ARGS_MAX);
    for (uint32_t pos = 0; pos < n;) {
        uint32_t end = pos;
        while (end < n && e.args[end] != '\0') ++end;
        i.argv.emplace_back(e.args + pos, end - pos);
        pos = end + 1;
    }
    i.cmdline = join_argv(i.argv);
    rec.argv_truncated = e.args_len >= VB_ARGS_MAX - 1;
    i.tty = tty_name(cstr(e.tty, sizeof e.tty));
    if (!i.tty.empty()) i.flags |= VIGIL_PROC_FLAG_INTERACTIVE;
    i.container_id = container_id_from_cgroup(cstr(e.cgroup, sizeof e.cgroup));
    i.flags |= VIGIL_PROC_FLAG_KNOWN;
    rec.exe_key = ExeKey{user_dev(e.exe_dev), e.exe_ino, e.exe_mtime_ns, e.exe_size, e.exe_ctime_ns};
    rec.exe_fs_magic = e.exe_fs_magic;
    rec.exe_known_to_sensor = e.exe_known != 0;
    ev.snapshot = std::move(rec);
    sink.on_exec(std::move(ev));
}

void decode_fork(const vb_header& h, const vb_fork& e, SensorSink& sink) {
    sink.on_fork(ForkEvent{int32_t(h.tgid), int32_t(h.ppid), e.start_boottime_ns});
}

void decode_exit(const vb_header& h, const vb_exit& e, SensorSink& sink) {
    ExitEvent ev{int32_t(h.tgid), e.exit_code, h.boottime_ns};
    ev.ppid = int32_t(h.ppid);
    ev.uid = h.uid;
    ev.start_boottime_ns = e.start_boottime_ns;
    ev.comm = cstr(e.comm, sizeof e.comm);
    sink.on_exit(ev);
}

void decode_net(const vb_header& h, const vb_net& e, SensorSink& sink) {
    NetEvent ev;
    ev.pid = int32_t(h.tgid);
    ev.uid = h.uid;
    ev.action = e.action;
    ev.family = uint8_t(e.family);
    ev.protocol = uint8_t(e.protocol);
    ev.local_port = e.lport;
    ev.remote_port = e.rport;
    std::memcpy(ev.local_addr.data(), e.laddr, 16);
    std::memcpy(ev.remote_addr.data(), e.raddr, 16);
    ev.bytes_sent = e.bytes_sent;
    ev.bytes_received = e.bytes_received;
    sink.on_network(ev);
}

void decode_file(const vb_header& h, const vb_file& e, SensorSink& sink) {
    FileEvent ev;
    ev.pid = int32_t(h.tgid);
    ev.action = e.action;
    ev.is_dir = e.is_dir != 0;
    ev.path = join_file(e.dir, e.name);
    if (e.action == VIGIL_FILE_RENAME) ev.new_path = join_file(e.dir2, e.name2);
    if (e.action == VIGIL_FILE_CHMOD) ev.mode = e.mode & 07777;
    if (e.action == VIGIL_FILE_CHOWN) {
        if (e.owner_uid != UINT32_MAX) ev.owner_uid = e.owner_uid;
        if (e.owner_gid != UINT32_MAX) ev.owner_gid = e.owner_gid;
    }
    if (e.has_inode)
        ev.inode = FileEvent::Inode{e.i_mode, e.i_uid, e.i_gid, e.i_size, e.i_ino,
                                    uint64_t(makedev(unsigned(e.i_dev >> 20), unsigned(e.i_dev & 0xfffff)))};
    sink.on_file(std::move(ev));
}

// Calls decode with the record when the buffer holds a whole one of its type (a
// shorter one comes from a mismatched sensor object and is dropped).
template <class Record>
void decode_as(const void* data, size_t size, void (*decode)(const vb_header&, const Record&, SensorSink&),
               SensorSink& sink) {
    if (size < sizeof(Record)) return;
    const auto* e = static_cast<const Record*>(data);
    decode(e->h, *e, sink);
}

}  // namespace

void decode_record(const void* data, size_t size, SensorSink& sink) {
    if (size < sizeof(vb_header)) return;
    switch (static_cast<const vb_header*>(data)->kind) {
        case VB_EXEC: return decode_as<vb_exec>(data, size, decode_exec, sink);
        case VB_FORK: return decode_as<vb_fork>(data, size, decode_fork, sink);
        case VB_EXIT: return decode_as<vb_exit>(data, size, decode_exit, sink);
        case VB_NET: return decode_as<vb_net>(data, size, decode_net, sink);
        case VB_FILE: return decode_as<vb_file>(data, size, decode_file, sink);
        default: return;
    }
}

}  // namespace vigil::behavior
