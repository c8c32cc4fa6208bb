// The opt-in node_exporter textfile output (agent.metrics.textfile): the
// exposition is written every interval to a new file beside the target and
// renamed over it, so node_exporter never reads half a file
// (common::write_file_atomic: O_EXCL temporary, so a symlink planted by the
// node_exporter user in its directory is never followed; rename replaces a
// link at the target, never writes through it).
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace vigil::core {

// Writes `text` to `path` atomically (mode 0644); returns "" or the error.
std::string write_textfile(const std::string& path, const std::string& text);

class MetricsTextfile {
public:
    using RenderFn = std::function<std::string()>;
    MetricsTextfile(std::string path, std::chrono::seconds interval, RenderFn render);
    ~MetricsTextfile();

    void start();
    // Stops the writer and removes the file: stale numbers from a stopped
    // agent would look like a healthy one.
    void stop();
    uint64_t writes() const { return writes_; }

private:
    void run();

    std::string path_;
    std::chrono::seconds interval_;
    RenderFn render_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;
    uint64_t writes_ = 0;
    std::string last_error_;
    std::thread thread_;
};

}  // namespace vigil::core
