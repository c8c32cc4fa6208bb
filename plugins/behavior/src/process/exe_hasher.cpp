#include "exe_hasher.hpp"

#include "completion.hpp"
#include <vigil/common/hex.hpp>
#include <vigil/common/mount_info.hpp>

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace vigil::behavior {

std::string sha256_fd(int fd, uint64_t deadline_ns, bool* timed_out) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return {};
    static thread_local char buf[1 << 16];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return {};
        if (n == 0) break;
        EVP_DigestUpdate(ctx.get(), buf, size_t(n));
        if (deadline_ns != 0 && monotonic_ns() >= deadline_ns) {
            if (timed_out) *timed_out = true;
            return {};
        }
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx.get(), md, &len) != 1) return {};
    return common::to_hex(md, len);
}

bool is_remote_fs_magic(uint64_t magic) {
    static const uint64_t kRemote[] = {
        0x65735546,  // FUSE (fuse, fuseblk, sshfs, ...)
        0x6969,      // NFS
        0xFF534D42,  // CIFS
        0xFE534D42,  // SMB2/3
        0x517B,      // SMB (old)
        0x00C36400,  // Ceph
        0x01021997,  // 9p / v9fs
        0x5346414F,  // AFS (OpenAFS)
        0x6B414653,  // kAFS
        0x73757245,  // Coda
        0x564C,      // NCP
        0x19830326,  // OCFS2 (cluster)
        0x01161970,  // GFS2 (cluster)
        0x0BD00BD0,  // Lustre
        0x47504653,  // GPFS
    };
    for (uint64_t m : kRemote)
        if (magic == m) return true;
    return false;
}

ExeKey exe_key_of(const struct stat& st) {
    return ExeKey{uint64_t(st.st_dev), uint64_t(st.st_ino),
                  int64_t(st.st_mtim.tv_sec) * 1000000000ll + st.st_mtim.tv_nsec, uint64_t(st.st_size),
                  int64_t(st.st_ctim.tv_sec) * 1000000000ll + st.st_ctim.tv_nsec};
}

std::string ExeHasher::cached(const ExeKey& key) {
    if (!key.valid()) return {};
    std::lock_guard g(mu_);
    if (auto* v = cache_.get(key)) {
        ++hits_;
        return *v;
    }
    return {};
}

// The common part once a descriptor open for reading exists: type, size and identity
// checks, the cache, then the read.
HashResult ExeHasher::hash_open(int fd, const ExeKey& expected) {
    struct stat st{};
    if (::fstat(fd, &st) != 0) return {{}, VIGIL_HASH_ERROR};
    if (!S_ISREG(st.st_mode)) return {{}, VIGIL_HASH_NOT_REGULAR};
    if (uint64_t(st.st_size) > max_bytes_) return {{}, VIGIL_HASH_TOO_LARGE};
    ExeKey key = exe_key_of(st);
    // Cached under what the caller will look it up by: a sensor that cannot see ctime
    // gives keys without it.
    if (expected.valid()) key = key.as_precise_as(expected);
    if (expected.valid() && !(expected == key)) return {{}, VIGIL_HASH_EXITED};
    {
        std::lock_guard g(mu_);
        if (auto* v = cache_.get(key)) {
            ++hits_;
            return {*v, VIGIL_HASH_OK};
        }
    }
    timespec t0{}, t1{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    bool timed_out = false;
    std::string digest = sha256_fd(fd, monotonic_ns() + deadline_ns_, &timed_out);
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    hash_cpu_ns_ += uint64_t((t1.tv_sec - t0.tv_sec) * 1000000000ll + (t1.tv_nsec - t0.tv_nsec));
    if (digest.empty()) return {{}, timed_out ? uint32_t(VIGIL_HASH_TIMEOUT) : uint32_t(VIGIL_HASH_ERROR)};
    std::lock_guard g(mu_);
    cache_.put(key, digest);
    ++hashed_;
    return {digest, VIGIL_HASH_OK};
}

std::vector<ExeKey> ExeHasher::keys() {
    std::vector<ExeKey> out;
    std::lock_guard g(mu_);
    cache_.for_each_oldest_first([&](const ExeKey& k, const std::string&) { out.push_back(k); });
    return out;
}

HashResult ExeHasher::hash_held(int held_fd, const ExeKey& expected, uint64_t fs_magic, int32_t pid) {
    if (auto c = cached(expected); !c.empty()) return {c, VIGIL_HASH_OK};
    if (fs_magic == 0) {
        // Not fstatfs: on FUSE that is a request to the file system's server,
        // which can leave it unanswered forever (and this worker with it). The
        // mount table names the type without asking the file system.
        const auto type = vigil::common::fs_type_of_fd(held_fd, pid);
        if (!type) return {{}, VIGIL_HASH_ERROR};
        if (vigil::common::is_remote_fs_type(*type)) return {{}, VIGIL_HASH_REMOTE_FS};
    } else if (is_remote_fs_magic(fs_magic)) {
        return {{}, VIGIL_HASH_REMOTE_FS};
    }
    // O_NONBLOCK: opening a FIFO or a device never waits; the type is checked after.
    std::string self = "/proc/self/fd/" + std::to_string(held_fd);
    int fd = ::open(self.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return {{}, errno == ENOENT ? uint32_t(VIGIL_HASH_EXITED) : uint32_t(VIGIL_HASH_ERROR)};
    HashResult r = hash_open(fd, expected);
    ::close(fd);
    return r;
}

std::string ExeHasher::hash(const std::string& path, const ExeKey& expected) {
    if (auto c = cached(expected); !c.empty()) return c;
    int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return {};
    HashResult r = hash_open(fd, expected);
    ::close(fd);
    return r.sha256;
}

namespace {

constexpr const char* kCacheHeader = "vigil-exe-hash-cache 1";

bool is_hex_digest(const std::string& s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

}  // namespace

// One entry per line after the header: dev ino mtime_ns size ctime_ns sha256.
std::string ExeHasher::save(const std::string& path) {
    std::string text = std::string(kCacheHeader) + "\n";
    {
        std::lock_guard g(mu_);
        cache_.for_each_oldest_first([&](const ExeKey& k, const std::string& digest) {
            text += std::to_string(k.dev) + ' ' + std::to_string(k.ino) + ' ' + std::to_string(k.mtime_ns) + ' ' +
                    std::to_string(k.size) + ' ' + std::to_string(k.ctime_ns) + ' ' + digest + '\n';
        });
    }
    const std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return "cannot create " + tmp + ": " + std::strerror(errno);
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            std::string err = "cannot write " + tmp + ": " + std::strerror(errno);
            ::close(fd);
            ::unlink(tmp.c_str());
            return err;
        }
        done += size_t(n);
    }
    if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
        std::string err = "cannot replace " + path + ": " + std::strerror(errno);
        ::unlink(tmp.c_str());
        return err;
    }
    return {};
}

ExeHasher::LoadResult ExeHasher::load(const std::string& path) {
    LoadResult r;
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno != ENOENT) r.error = "cannot read " + path + ": " + std::strerror(errno);
        return r;
    }
    std::ifstream in(path);
    if (!in) {
        r.error = "cannot read " + path;
        return r;
    }
    std::string line;
    if (!std::getline(in, line) || line != kCacheHeader) {
        r.error = path + ": not a hash cache of this version (first line is not \"" + kCacheHeader + "\")";
        return r;
    }
    std::lock_guard g(mu_);
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        ExeKey k;
        std::string digest, extra;
        if (!(fields >> k.dev >> k.ino >> k.mtime_ns >> k.size >> k.ctime_ns >> digest) || (fields >> extra) ||
            !k.valid() || !is_hex_digest(digest)) {
            ++r.skipped;
            continue;
        }
        cache_.put(k, digest);
        ++r.loaded;
    }
    return r;
}

}  // namespace vigil::behavior
