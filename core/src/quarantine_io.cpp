#include "quarantine_io.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <vigil/common/digest.hpp>
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

uint64_t copy_fd(int in, int out, EntryHashes* hashes) {
    common::DigestOptions o;
    o.algorithms = hashes ? common::kAllDigests : 0u;
    o.copy_fd = out;
    try {
        common::Digests d = common::digest_fd(in, o);
        if (hashes) *hashes = {d.md5, d.sha1, d.sha256};
        return d.bytes;
    } catch (const common::DigestError& e) {
        throw std::runtime_error(e.what());
    }
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
