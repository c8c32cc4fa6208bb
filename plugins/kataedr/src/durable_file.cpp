#include "durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace vigil::kataedr {
namespace {

std::runtime_error sys_error(const std::string& what, const std::string& path) {
    return std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

std::string parent_dir(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

void fsync_directory(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw sys_error("cannot open directory", dir);
    ::fsync(fd);
    ::close(fd);
}

void write_file_durably(const std::string& path, std::string_view content) {
    std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw sys_error("cannot create", tmp);
    size_t done = 0;
    while (done < content.size()) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            auto e = sys_error("cannot write", tmp);
            ::close(fd);
            ::unlink(tmp.c_str());
            throw e;
        }
        done += size_t(n);
    }
    if (::fsync(fd) != 0) {
        auto e = sys_error("cannot fsync", tmp);
        ::close(fd);
        ::unlink(tmp.c_str());
        throw e;
    }
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        auto e = sys_error("cannot rename to", path);
        ::unlink(tmp.c_str());
        throw e;
    }
    fsync_directory(parent_dir(path));
}

std::optional<std::string> read_small_file(const std::string& path, size_t max_size) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return std::nullopt;
        throw sys_error("cannot open", path);
    }
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            auto e = sys_error("cannot read", path);
            ::close(fd);
            throw e;
        }
        if (n == 0) break;
        out.append(buf, size_t(n));
        if (out.size() > max_size) {
            ::close(fd);
            throw std::runtime_error("file too large: " + path);
        }
    }
    ::close(fd);
    return out;
}

}  // namespace vigil::kataedr
