#include "metrics_textfile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "log.hpp"

namespace vigil::core {

std::string write_textfile(const std::string& path, const std::string& text) {
    std::random_device rd;
    char suffix[24];
    std::snprintf(suffix, sizeof suffix, ".%08x.tmp", unsigned(rd()));
    // node_exporter reads only *.prom: the temporary name is ignored by it.
    const std::string tmp = path + suffix;
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return "cannot create " + tmp + ": " + std::strerror(errno);
    ::fchmod(fd, 0644);  // readable by node_exporter whatever our umask
    size_t off = 0;
    while (off < text.size()) {
        ssize_t n = ::write(fd, text.data() + off, text.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            std::string err = "cannot write " + tmp + ": " + std::strerror(errno);
            ::close(fd);
            ::unlink(tmp.c_str());
            return err;
        }
        off += size_t(n);
    }
    if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
        std::string err = "cannot replace " + path + ": " + std::strerror(errno);
        ::unlink(tmp.c_str());
        return err;
    }
    return {};
}

MetricsTextfile::MetricsTextfile(std::string path, std::chrono::seconds interval, RenderFn render)
    : path_(std::move(path)), interval_(interval), render_(std::move(render)) {}

MetricsTextfile::~MetricsTextfile() { stop(); }

void MetricsTextfile::start() {
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void MetricsTextfile::stop() {
    {
        std::lock_guard<std::mutex> g(mu_);
        if (stopping_) return;
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    ::unlink(path_.c_str());
}

void MetricsTextfile::run() {
    std::unique_lock<std::mutex> lk(mu_);
    while (!stopping_) {
        lk.unlock();
        std::string err = write_textfile(path_, render_());
        lk.lock();
        if (err.empty()) ++writes_;
        // Logged when it starts failing or the reason changes, not every interval.
        if (err != last_error_ && !err.empty()) log_error("metrics", "textfile output: " + err);
        if (err.empty() && !last_error_.empty()) log_info("metrics", "textfile output works again: " + path_);
        last_error_ = err;
        cv_.wait_for(lk, interval_, [this] { return stopping_; });
    }
}

}  // namespace vigil::core
