// Vigil C++ SDK: publishing a plugin's status JSON now and periodically.
//
//   status_(host, [this] { return status_json(); })    // member, built in the constructor
//   void start() override { status_.start(10000); }    // now + every 10 s on the executor
//   void stop() override { status_.stop(); }
//   ... status_.publish();                              // after a change, from any thread
//
// The builder runs under the reporter's lock (never twice at once); an
// unchanged text is not sent again. A builder that throws is reported
// (logged, counted) and the previous status stays.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <utility>

#include "host.hpp"

namespace vigil {

class StatusReporter {
public:
    using Build = std::function<std::string()>;

    StatusReporter(Host& host, Build build) : host_(host), build_(std::move(build)) {}
    ~StatusReporter() { stop(); }
    StatusReporter(const StatusReporter&) = delete;
    StatusReporter& operator=(const StatusReporter&) = delete;

    // Publishes now, then every interval_ms (restarts the timer when running).
    void start(uint32_t interval_ms) {
        stop();
        publish();
        const uint64_t id = host_.timer(interval_ms, true, [this] { publish(); });
        std::lock_guard<std::mutex> g(mu_);
        timer_ = id;
    }
    void stop() {
        uint64_t id;
        {
            std::lock_guard<std::mutex> g(mu_);
            id = timer_;
            timer_ = 0;
        }
        if (id) host_.cancel_timer(id);
    }
    void publish() {
        std::lock_guard<std::mutex> g(mu_);
        std::string text;
        if (!host_.guarded("status builder", [&] { text = build_(); })) return;
        if (text == last_) return;
        host_.set_status(text);
        last_ = std::move(text);
    }

private:
    Host& host_;
    Build build_;
    std::mutex mu_;
    std::string last_;
    uint64_t timer_ = 0;
};

}  // namespace vigil
