#include "exe_hasher.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace behavior {

std::string sha256_fd(int fd) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return {};
    static thread_local char buf[1 << 16];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) return {};
        if (n == 0) break;
        EVP_DigestUpdate(ctx.get(), buf, size_t(n));
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx.get(), md, &len) != 1) return {};
    static const char* hex = "0123456789abcdef";
    std::string out(len * 2, '0');
    for (unsigned i = 0; i < len; ++i) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    return out;
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

std::string ExeHasher::hash(const std::string& path, const ExeKey& expected) {
    if (auto c = cached(expected); !c.empty()) return c;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return {};
    struct stat st{};
    std::string digest;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && uint64_t(st.st_size) <= max_bytes_) {
        ExeKey key = exe_key_of(st);
        // Cached under what the caller will look it up by: a sensor that cannot see ctime
        // gives keys without it.
        if (expected.valid()) key = key.as_precise_as(expected);
        if (expected.valid() && !(expected == key)) {
            ::close(fd);
            return {};
        }
        {
            std::lock_guard g(mu_);
            if (auto* v = cache_.get(key)) {
                ++hits_;
                ::close(fd);
                return *v;
            }
        }
        timespec t0{}, t1{};
        ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
        digest = sha256_fd(fd);
        ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
        hash_cpu_ns_ += uint64_t((t1.tv_sec - t0.tv_sec) * 1000000000ll + (t1.tv_nsec - t0.tv_nsec));
        if (!digest.empty()) {
            std::lock_guard g(mu_);
            cache_.put(key, digest);
            ++hashed_;
        }
    }
    ::close(fd);
    return digest;
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

}  // namespace behavior
