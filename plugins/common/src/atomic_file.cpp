#include "vigil/common/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "vigil/common/errno_text.hpp"

namespace vigil::common {

namespace {

// Removes the temporary unless release() was called (after the rename).
class TempFile {
public:
    explicit TempFile(const std::string& target) {
        const std::string dir = parent_directory(target);
        const size_t slash = target.rfind('/');
        const std::string base = slash == std::string::npos ? target : target.substr(slash + 1);
        // Hidden, so directory listings of entries (quarantine ids, spools) skip it.
        path_ = (dir == "/" ? "" : dir) + "/." + base + ".tmp-XXXXXX";
        if (slash == std::string::npos) path_ = "." + base + ".tmp-XXXXXX";
        fd_ = ::mkostemp(path_.data(), O_CLOEXEC);
        if (fd_ < 0) throw sys_error("cannot create a temporary file for " + target);
    }
    ~TempFile() {
        if (fd_ >= 0) ::close(fd_);
        if (!path_.empty()) ::unlink(path_.c_str());
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    int fd() const { return fd_; }
    const std::string& path() const { return path_; }
    void close_or_throw() {
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0 && errno != EINTR) throw sys_error("cannot write " + path_);
    }
    void release() { path_.clear(); }

private:
    std::string path_;
    int fd_ = -1;
};

void write_all(int fd, std::string_view data, const std::string& path) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw sys_error("cannot write " + path);
        }
        done += size_t(n);
    }
}

}  // namespace

std::string parent_directory(const std::string& path) {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

namespace {
// fsync of the file or directory at `path` opened with `flags`; the error of fsync itself
// (0 when it worked) is returned, a failed open throws.
int fsync_path(const std::string& path, int flags, const char* what) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | flags);
    if (fd < 0) throw sys_error(std::string("cannot open ") + what + path);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    return rc == 0 ? 0 : err;
}
}  // namespace

void fsync_directory(const std::string& dir) {
    const int err = fsync_path(dir, O_DIRECTORY, "directory ");
    // Some filesystems cannot sync a directory; that is not a lost write.
    if (err != 0 && err != EINVAL && err != EROFS) throw sys_error("cannot fsync directory " + dir, err);
}

void fsync_file(const std::string& path) {
    if (const int err = fsync_path(path, O_NOFOLLOW, "")) throw sys_error("cannot fsync " + path, err);
}

void write_file_atomic(const std::string& path, std::string_view data, const AtomicWriteOptions& options) {
    TempFile tmp(path);
    // mkostemp creates 0600; the requested mode is set explicitly so the
    // umask cannot widen or narrow it.
    if (::fchmod(tmp.fd(), options.mode) != 0) throw sys_error("cannot set the mode of " + tmp.path());
    write_all(tmp.fd(), data, tmp.path());
    const bool durable = options.durability == Durability::full;
    if (durable && ::fsync(tmp.fd()) != 0) throw sys_error("cannot fsync " + tmp.path());
    tmp.close_or_throw();
    if (::rename(tmp.path().c_str(), path.c_str()) != 0) throw sys_error("cannot rename to " + path);
    tmp.release();
    if (durable) fsync_directory(parent_directory(path));
}

}  // namespace vigil::common
