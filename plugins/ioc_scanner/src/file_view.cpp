#include "file_view.hpp"

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <vigil/common/hex.hpp>
#include <vigil/common/user_names.hpp>

#include "value_match.hpp"

namespace vigil::ioc_scanner {

namespace {

constexpr size_t kReadChunk = 1u << 20;

char* read_buffer() {
    thread_local std::unique_ptr<char[]> buf(new char[kReadChunk]);
    return buf.get();
}

int open_for_read(const std::string& path) {
    // O_NOATIME keeps a sweep from rewriting every access time (root only).
    // O_NONBLOCK: "regular" files of pseudo filesystems (/proc/kmsg) must not
    // block a worker; real regular files ignore it.
    const int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
    int fd = ::open(path.c_str(), flags | O_NOATIME);
    if (fd < 0 && errno == EPERM) fd = ::open(path.c_str(), flags);
    return fd;
}

// Owner names of many files: each id looked up once per thread (one cache per lookup).
template <std::string (*Lookup)(uint32_t)>
std::string cached_name(uint32_t id) {
    thread_local std::unordered_map<uint32_t, std::string> cache;
    auto it = cache.find(id);
    if (it == cache.end()) it = cache.emplace(id, Lookup(id)).first;
    return it->second;
}

std::string iso(const struct timespec& ts) { return format_iso8601(int64_t(ts.tv_sec)); }

}  // namespace

bool hash_file(const std::string& path, bool md5, bool sha1, bool sha256, uint64_t max_bytes, Digests& out,
               uint64_t* bytes_read, const std::atomic<bool>* cancel, std::string* error,
               const std::function<void(const char*, size_t)>* on_chunk) {
    int fd = open_for_read(path);
    if (fd < 0) {
        if (error) *error = std::strerror(errno);
        return false;
    }
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || uint64_t(st.st_size) > max_bytes) {
        if (error) *error = S_ISREG(st.st_mode) ? "over the size limit" : "not a regular file";
        ::close(fd);
        return false;
    }
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    struct Ctx {
        EVP_MD_CTX* c = nullptr;
        ~Ctx() { EVP_MD_CTX_free(c); }
    } ctx[3];
    const EVP_MD* mds[3] = {md5 ? EVP_md5() : nullptr, sha1 ? EVP_sha1() : nullptr,
                            sha256 ? EVP_sha256() : nullptr};
    for (int i = 0; i < 3; ++i)
        if (mds[i]) {
            ctx[i].c = EVP_MD_CTX_new();
            EVP_DigestInit_ex(ctx[i].c, mds[i], nullptr);
        }
    char* buf = read_buffer();
    uint64_t total = 0;
    bool ok = true;
    for (;;) {
        if (cancel && cancel->load(std::memory_order_relaxed)) {
            ok = false;
            if (error) *error = "canceled";
            break;
        }
        ssize_t n = ::read(fd, buf, kReadChunk);
        if (n < 0) {
            if (errno == EINTR) continue;
            ok = false;
            if (error) *error = std::strerror(errno);
            break;
        }
        if (n == 0) break;
        total += uint64_t(n);
        if (total > max_bytes) {  // grew while reading
            ok = false;
            if (error) *error = "over the size limit";
            break;
        }
        for (auto& c : ctx)
            if (c.c) EVP_DigestUpdate(c.c, buf, size_t(n));
        if (on_chunk) (*on_chunk)(buf, size_t(n));
    }
    ::close(fd);
    if (bytes_read) *bytes_read = total;
    if (!ok) return false;
    std::string* outs[3] = {&out.md5, &out.sha1, &out.sha256};
    for (int i = 0; i < 3; ++i)
        if (ctx[i].c) {
            unsigned char d[EVP_MAX_MD_SIZE];
            unsigned len = 0;
            EVP_DigestFinal_ex(ctx[i].c, d, &len);
            *outs[i] = common::to_hex(d, len);
        }
    return true;
}

void extract_strings(const char* data, size_t n, size_t min_len, std::string& current,
                     std::vector<std::string>& out, size_t max_strings) {
    for (size_t i = 0; i < n; ++i) {
        const unsigned char ch = static_cast<unsigned char>(data[i]);
        if ((ch >= 0x20 && ch < 0x7f) || ch == '\t') {
            current.push_back(char(ch));
            continue;
        }
        if (current.size() >= min_len && out.size() < max_strings) out.push_back(current);
        current.clear();
    }
}

std::string FileView::object() const {
    return e_.mount_ns.empty() ? e_.path : e_.path + " (mnt:" + e_.mount_ns + " " + e_.open_path + ")";
}

std::optional<vigil::common::FileStamp> FileView::stamp() {
    if (!ensure_stat()) return std::nullopt;
    return vigil::common::FileStamp::of(st_);
}

bool FileView::ensure_stat() {
    if (stat_state_ == 0) {
        struct statx sx {};
        if (statx(AT_FDCWD, e_.open_path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME,
                  &sx) == 0) {
            st_.st_mode = sx.stx_mode;
            st_.st_uid = sx.stx_uid;
            st_.st_gid = sx.stx_gid;
            st_.st_size = off_t(sx.stx_size);
            st_.st_ino = ino_t(sx.stx_ino);
            st_.st_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
            st_.st_atim = {time_t(sx.stx_atime.tv_sec), long(sx.stx_atime.tv_nsec)};
            st_.st_mtim = {time_t(sx.stx_mtime.tv_sec), long(sx.stx_mtime.tv_nsec)};
            st_.st_ctim = {time_t(sx.stx_ctime.tv_sec), long(sx.stx_ctime.tv_nsec)};
            if (sx.stx_mask & STATX_BTIME) btime_ = int64_t(sx.stx_btime.tv_sec);
            stat_state_ = 1;
        } else {
            stat_state_ = -1;
            c_.read_errors++;
        }
        c_.stats++;
    }
    return stat_state_ == 1;
}

bool FileView::ensure_hashes() {
    if (hash_state_ == 0) {
        hash_state_ = -1;
        if (ensure_stat() && uint64_t(st_.st_size) > limits_.hash_max_bytes) {
            c_.hash_skipped_too_large++;
            return false;
        }
        Digests d;
        uint64_t n = 0;
        // All digests any loaded IOC needs, in one pass; when IOCs also use
        // StringList, the strings come from the same read: a file is read once.
        const bool with_strings = needs_.strings && strings_state_ == 0;
        std::string current;
        uint64_t fed = 0;
        std::function<void(const char*, size_t)> strings_fn = [&](const char* data, size_t len) {
            if (fed >= limits_.strings_max_bytes) return;
            len = size_t(std::min<uint64_t>(len, limits_.strings_max_bytes - fed));
            fed += len;
            extract_strings(data, len, limits_.min_string_length, current, strings_, limits_.max_strings);
        };
        c_.opens++;
        if (hash_file(e_.open_path, needs_.md5, needs_.sha1, needs_.sha256, limits_.hash_max_bytes, d, &n,
                      cancel_, nullptr, with_strings ? &strings_fn : nullptr)) {
            if (with_strings) {
                if (current.size() >= limits_.min_string_length && strings_.size() < limits_.max_strings)
                    strings_.push_back(current);
                strings_state_ = 1;
                c_.strings_read++;
            }
            md5_ = std::move(d.md5);
            sha1_ = std::move(d.sha1);
            sha256_ = std::move(d.sha256);
            hash_state_ = 1;
            c_.hashed++;
            c_.bytes_hashed += n;
        } else {
            if (with_strings) strings_.clear();
            c_.read_errors++;
        }
    }
    return hash_state_ == 1;
}

bool FileView::ensure_strings() {
    // When the IOCs need digests too, one read produces both.
    if (strings_state_ == 0 && needs_.hashes() && hash_state_ == 0 && ensure_stat() &&
        uint64_t(st_.st_size) <= limits_.hash_max_bytes) {
        ensure_hashes();
        if (strings_state_ == 1) return true;
    }
    if (strings_state_ == 0) {
        strings_state_ = -1;
        c_.opens++;
        int fd = open_for_read(e_.open_path);
        if (fd < 0) {
            c_.read_errors++;
            return false;
        }
        char* buf = read_buffer();
        std::string current;
        uint64_t total = 0;
        bool ok = true;
        while (total < limits_.strings_max_bytes) {
            if (cancel_ && cancel_->load(std::memory_order_relaxed)) {
                ok = false;
                break;
            }
            ssize_t n = ::read(fd, buf, kReadChunk);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                ok = n == 0;
                break;
            }
            total += uint64_t(n);
            extract_strings(buf, size_t(n), limits_.min_string_length, current, strings_,
                            limits_.max_strings);
        }
        ::close(fd);
        if (current.size() >= limits_.min_string_length && strings_.size() < limits_.max_strings)
            strings_.push_back(current);
        if (ok) {
            strings_state_ = 1;
            c_.strings_read++;
        } else {
            c_.read_errors++;
        }
    }
    return strings_state_ == 1;
}

bool FileView::values(TermId id, std::vector<std::string_view>& out) {
    const std::string& p = e_.path;
    const size_t slash = p.rfind('/');
    const std::string_view name =
        slash == std::string::npos ? std::string_view(p) : std::string_view(p).substr(slash + 1);
    switch (id) {
        case TermId::FileFullPath:
            out.emplace_back(p);
            return true;
        case TermId::FileFilePath:
            // The directory, without the trailing slash ("/" for files in the root).
            out.emplace_back(slash == 0
                                 ? std::string_view("/")
                                 : std::string_view(p).substr(0, slash == std::string::npos ? 0 : slash));
            return true;
        case TermId::FileFileName:
            out.emplace_back(name);
            return true;
        case TermId::FileFileExtension: {
            const size_t dot = name.rfind('.');
            out.emplace_back(dot == std::string_view::npos || dot == 0 ? std::string_view()
                                                                       : name.substr(dot + 1));
            return true;
        }
        case TermId::FileMd5sum:
        case TermId::FileSha1sum:
        case TermId::FileSha256sum: {
            if (!ensure_hashes()) return false;
            const std::string& h = id == TermId::FileMd5sum    ? md5_
                                   : id == TermId::FileSha1sum ? sha1_
                                                               : sha256_;
            if (h.empty()) return false;  // not requested by any IOC (cannot happen through compile())
            out.emplace_back(h);
            return true;
        }
        case TermId::FileStringListString:
            if (!ensure_strings()) return false;
            for (const auto& s : strings_) out.emplace_back(s);
            return true;
        default:
            return stat_value(id, out);
    }
}

bool FileView::stat_value(TermId id, std::vector<std::string_view>& out) {
    const size_t slot = size_t(int(id) - int(TermId::FileSizeInBytes));
    if (slot >= stat_values_.size()) return false;
    if (stat_have_ & (1u << slot)) {
        out.emplace_back(stat_values_[slot]);
        return true;
    }
    if (!ensure_stat()) return false;
    std::optional<std::string> v = stat_text(id);
    if (!v) return false;
    stat_values_[slot] = std::move(*v);
    stat_have_ |= 1u << slot;
    out.emplace_back(stat_values_[slot]);
    return true;
}

std::optional<std::string> FileView::stat_text(TermId id) const {
    std::string v;
    switch (id) {
        case TermId::FileSizeInBytes:
            v = std::to_string(st_.st_size);
            break;
        case TermId::FileCreated:
            if (!btime_) return std::nullopt;  // the filesystem does not record birth times
            v = format_iso8601(*btime_);
            break;
        case TermId::FileModified:
            v = iso(st_.st_mtim);
            break;
        case TermId::FileAccessed:
            v = iso(st_.st_atim);
            break;
        case TermId::FileChanged:
            v = iso(st_.st_ctim);
            break;
        case TermId::FileUsername:
            v = cached_name<vigil::common::user_name_or_id>(st_.st_uid);
            break;
        case TermId::FileGroup:
            v = cached_name<vigil::common::group_name_or_id>(st_.st_gid);
            break;
        case TermId::FileGroupId:
            v = std::to_string(st_.st_gid);
            break;
        case TermId::FileSecurityId:
            v = std::to_string(st_.st_uid);
            break;
        case TermId::FilePermissions: {
            // Octal digits read as a number: rwxr-xr-x is 755.
            char buf[8];
            snprintf(buf, sizeof buf, "%o", unsigned(st_.st_mode & 07777));
            v = buf;
            break;
        }
        case TermId::FileINode:
            v = std::to_string(st_.st_ino);
            break;
        default:
            return std::nullopt;
    }
    return v;
}

}  // namespace vigil::ioc_scanner
