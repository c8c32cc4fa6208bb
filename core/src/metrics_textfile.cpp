#include "metrics_textfile.hpp"

#include <unistd.h>

#include <vigil/common/atomic_file.hpp>

#include "log.hpp"

namespace vigil::core {

std::string write_textfile(const std::string& path, const std::string& text) {
    try {
        // Hidden O_EXCL temporary + rename (node_exporter reads only *.prom);
        // a metrics snapshot needs no fsync.
        common::write_file_atomic(path, text, {.mode = 0644, .durability = common::Durability::process_crash});
        return {};
    } catch (const std::exception& e) {
        return e.what();
    }
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
