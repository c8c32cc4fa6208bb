#include "quarantine_io.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

#include <vigil/common/hex.hpp>
#include <vigil/common/safe_fs.hpp>

namespace vigil::core::qio {

std::string err_text(const std::string& what) { return what + ": " + std::strerror(errno); }

bool write_all(int fd, const char* p, size_t n) {
    while (n) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= size_t(w);
    }
    return true;
}

namespace {
using Ctx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
std::string finish(Ctx& c) {
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EVP_DigestFinal_ex(c.get(), d, &n);
    return common::to_hex(d, n);
}
}  // namespace

uint64_t copy_fd(int in, int out, EntryHashes* hashes) {
    Ctx md5(EVP_MD_CTX_new(), EVP_MD_CTX_free), sha1(EVP_MD_CTX_new(), EVP_MD_CTX_free),
        sha256(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (hashes) {
        EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr);
        EVP_DigestInit_ex(sha1.get(), EVP_sha1(), nullptr);
        EVP_DigestInit_ex(sha256.get(), EVP_sha256(), nullptr);
    }
    std::vector<char> buf(1 << 16);
    uint64_t total = 0;
    for (;;) {
        ssize_t n = ::read(in, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::runtime_error(err_text("read"));
        if (n == 0) break;
        if (hashes) {
            EVP_DigestUpdate(md5.get(), buf.data(), size_t(n));
            EVP_DigestUpdate(sha1.get(), buf.data(), size_t(n));
            EVP_DigestUpdate(sha256.get(), buf.data(), size_t(n));
        }
        if (!write_all(out, buf.data(), size_t(n))) throw std::runtime_error(err_text("write"));
        total += uint64_t(n);
    }
    if (hashes) {
        hashes->md5 = finish(md5);
        hashes->sha1 = finish(sha1);
        hashes->sha256 = finish(sha256);
    }
    return total;
}

bool remove_tree(const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return errno == ENOENT;
    while (auto* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        ::unlinkat(::dirfd(d), n.c_str(), 0);
    }
    ::closedir(d);
    return ::rmdir(dir.c_str()) == 0;
}

bool read_small(const std::string& path, size_t max, std::string& out) {
    common::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid()) return false;
    out.clear();
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        if (n == 0) return true;
        out.append(buf, size_t(n));
        if (out.size() > max) return false;
    }
}

}  // namespace vigil::core::qio
