#include "fanotify_sensor.hpp"

#include "path_filter.hpp"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <stdexcept>

namespace vigil::behavior {
namespace {

constexpr uint64_t kMask = FAN_CREATE | FAN_DELETE | FAN_RENAME | FAN_ATTRIB | FAN_CLOSE_WRITE | FAN_ONDIR;

std::pair<int32_t, int32_t> fsid_of(const void* p) {
    int32_t v[2];
    std::memcpy(v, p, sizeof v);
    return {v[0], v[1]};
}

// Mount points of real filesystems below the watched paths (from
// /proc/self/mounts; pseudo filesystems carry no user files).
std::vector<std::string> mounts_under(const std::vector<std::string>& watched) {
    static const char* const kPseudo[] = {"proc",   "sysfs",      "cgroup",    "cgroup2", "devpts",   "debugfs",
                                          "tracefs", "bpf",       "securityfs", "pstore",  "mqueue",   "configfs",
                                          "fusectl", "autofs",    "binfmt_misc", "hugetlbfs", "nsfs",  "devtmpfs",
                                          "efivarfs", "selinuxfs", "rpc_pipefs", "ramfs"};
    std::vector<std::string> out;
    std::ifstream in("/proc/self/mounts");
    std::string dev, mnt, type;
    std::string rest;
    while (in >> dev >> mnt >> type && std::getline(in, rest)) {
        bool pseudo = false;
        for (const char* p : kPseudo)
            if (type == p) pseudo = true;
        if (pseudo) continue;
        // Octal escapes (\040 for a space) as the kernel writes them.
        std::string path;
        for (size_t i = 0; i < mnt.size(); ++i) {
            if (mnt[i] == '\\' && i + 3 < mnt.size()) {
                path.push_back(char(std::strtol(mnt.substr(i + 1, 3).c_str(), nullptr, 8)));
                i += 3;
            } else {
                path.push_back(mnt[i]);
            }
        }
        for (const auto& w : watched)
            if (PathFilter::under(path, w) && path != w) {
                out.push_back(path);
                break;
            }
    }
    return out;
}

}  // namespace

void FanotifySensor::start(SensorSink& sink) {
    fd_ = ::fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_DFID_NAME | FAN_REPORT_FID,
                          O_RDONLY | O_LARGEFILE | O_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error(std::string("fanotify_init: ") + std::strerror(errno));
    size_t marked = 0;
    // A filesystem mark covers one filesystem: also mark the real filesystems
    // mounted below a watched path (e.g. /home, a tmpfs /tmp).
    std::vector<std::string> targets = watch_;
    for (const auto& m : mounts_under(watch_)) targets.push_back(m);
    size_t unmarkable = 0;
    std::string first_unmarkable;
    for (size_t i = 0; i < targets.size(); ++i) {
        const std::string& p = targets[i];
        bool listed = i < watch_.size();
        struct statfs sfs{};
        if (::statfs(p.c_str(), &sfs) != 0) {
            if (listed) problems_.push_back("fanotify: " + p + ": " + std::strerror(errno));
            continue;
        }
        auto id = fsid_of(&sfs.f_fsid);
        if (mount_fds_.count(id)) continue;
        if (::fanotify_mark(fd_, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, kMask, AT_FDCWD, p.c_str()) != 0) {
            std::string why = "fanotify mark " + p + ": " + std::strerror(errno);
            if (listed) {
                problems_.push_back(why);
            } else if (unmarkable++ == 0) {
                first_unmarkable = why;
            }
            continue;
        }
        mount_fds_[id] = ::open(p.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ++marked;
    }
    if (unmarkable)
        problems_.push_back(std::to_string(unmarkable) + " mounted filesystem(s) below the watched paths cannot be watched (" +
                            first_unmarkable + ")");
    if (marked == 0) {
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error("fanotify: no watched path could be marked" +
                                 (problems_.empty() ? std::string() : " (" + problems_.front() + ")"));
    }
    reader_.start([this, &sink] { run(sink); });
}

void FanotifySensor::stop() {
    reader_.stop();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    for (auto& [id, mfd] : mount_fds_)
        if (mfd >= 0) ::close(mfd);
    mount_fds_.clear();
}

std::string FanotifySensor::resolve(const void* fsid, const void* handle, const char** name_out) {
    auto* fh = static_cast<const file_handle*>(handle);
    if (name_out) *name_out = reinterpret_cast<const char*>(fh->f_handle) + fh->handle_bytes;
    auto it = mount_fds_.find(fsid_of(fsid));
    if (it == mount_fds_.end() || it->second < 0) return {};
    int dfd = ::open_by_handle_at(it->second, const_cast<file_handle*>(fh), O_PATH | O_CLOEXEC);
    if (dfd < 0) return {};
    char link[64], buf[4096];
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", dfd);
    ssize_t n = ::readlink(link, buf, sizeof buf - 1);
    ::close(dfd);
    return n > 0 ? std::string(buf, size_t(n)) : std::string();
}

void FanotifySensor::handle(const char* raw, const fanotify_event_metadata& md, SensorSink& sink) {
    const fanotify_event_metadata* m = &md;
    if (m->mask & FAN_Q_OVERFLOW) {
        sink.on_loss("fanotify_queue_overflow", 1);
        return;
    }
    if (m->pid == self_pid_) return;
    std::string path, new_path;
    // Info records are 4-byte aligned (their fields are 32-bit at most).
    const char* p = raw + m->metadata_len;
    const char* end = raw + m->event_len;
    while (p + sizeof(fanotify_event_info_header) <= end) {
        auto* hdr = reinterpret_cast<const fanotify_event_info_header*>(p);
        if (hdr->len == 0) break;
        auto* fid = reinterpret_cast<const fanotify_event_info_fid*>(p);
        const char* name = nullptr;
        if (hdr->info_type == FAN_EVENT_INFO_TYPE_DFID_NAME || hdr->info_type == FAN_EVENT_INFO_TYPE_OLD_DFID_NAME ||
            hdr->info_type == FAN_EVENT_INFO_TYPE_NEW_DFID_NAME) {
            std::string dir = resolve(&fid->fsid, fid->handle, &name);
            std::string full = dir.empty() ? std::string() : (dir == "/" ? "/" : dir + "/") + (name ? name : "");
            if (hdr->info_type == FAN_EVENT_INFO_TYPE_NEW_DFID_NAME) new_path = full;
            else path = full;
        }
        p += hdr->len;
    }
    if (path.empty()) return;
    FileEvent ev;
    ev.pid = m->pid;
    ev.path = path;
    ev.is_dir = (m->mask & FAN_ONDIR) != 0;
    if (m->mask & FAN_RENAME) {
        ev.action = VIGIL_FILE_RENAME;
        ev.new_path = new_path;
    } else if (m->mask & FAN_CREATE) {
        ev.action = VIGIL_FILE_CREATE;
    } else if (m->mask & FAN_DELETE) {
        ev.action = VIGIL_FILE_DELETE;
    } else if (m->mask & FAN_CLOSE_WRITE) {
        ev.action = VIGIL_FILE_MODIFY;
    } else if (m->mask & FAN_ATTRIB) {
        // fanotify says "attributes changed"; compare with what we saw last.
        struct stat st{};
        if (::lstat(path.c_str(), &st) != 0) {
            // Gone already (deleted right after): report what fanotify saw.
            ev.action = VIGIL_FILE_CHMOD;
            sink.on_file(std::move(ev));
            return;
        }
        auto now = std::make_tuple(uint32_t(st.st_uid), uint32_t(st.st_gid), uint32_t(st.st_mode));
        auto* before = attrs_.get(path);
        if (before && *before == now) return;  // timestamps only (touch)
        bool owner = before && (std::get<0>(*before) != st.st_uid || std::get<1>(*before) != st.st_gid);
        attrs_.put(path, now);
        ev.action = owner ? VIGIL_FILE_CHOWN : VIGIL_FILE_CHMOD;
    } else {
        return;
    }
    if (ev.action == VIGIL_FILE_CREATE || ev.action == VIGIL_FILE_MODIFY) {
        struct stat st{};
        if (::lstat(path.c_str(), &st) == 0)
            attrs_.put(path, std::make_tuple(uint32_t(st.st_uid), uint32_t(st.st_gid), uint32_t(st.st_mode)));
    }
    sink.on_file(std::move(ev));
}

void FanotifySensor::run(SensorSink& sink) {
    alignas(8) static thread_local char buf[65536];
    while (reader_.wait_readable(fd_)) {
        ssize_t n = ::read(fd_, buf, sizeof buf);
        if (n <= 0) continue;
        // Records are only 4-byte aligned; the metadata holds a u64: copy it.
        size_t off = 0;
        while (off + sizeof(fanotify_event_metadata) <= size_t(n)) {
            fanotify_event_metadata md;
            std::memcpy(&md, buf + off, sizeof md);
            if (md.event_len < sizeof md || off + md.event_len > size_t(n)) break;
            if (md.vers == FANOTIFY_METADATA_VERSION) {
                try {
                    handle(buf + off, md, sink);
                } catch (...) {
                    sink.on_loss("event_processing_error", 1);
                }
            }
            if (md.fd >= 0) ::close(md.fd);
            off += md.event_len;
        }
    }
}

}  // namespace vigil::behavior
