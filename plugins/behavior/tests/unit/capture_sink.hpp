// Test helper: collects published payloads and waits for one that matches.
#pragma once

#include <vigil/sdk.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace vigil::behavior::test {

struct Captured {
    uint32_t type;
    std::vector<char> bytes;
    template <class T>
    vigil::PayloadView<T> as() const { return vigil::view<T>(bytes.data(), uint32_t(bytes.size())); }
    template <class T>
    vigil::ProcessInfo process(vigil_process_ctx T::*field) const {
        auto v = as<T>();
        return vigil::read_process(bytes.data(), uint32_t(bytes.size()), v.head.*field);
    }
};

class CaptureSink {
public:
    void operator()(uint32_t type, const void* p, uint32_t n) {
        std::lock_guard g(mu_);
        auto* c = static_cast<const char*>(p);
        items_.push_back({type, std::vector<char>(c, c + n)});
        cv_.notify_all();
    }
    // Waits up to `seconds` for an item satisfying pred; returns a copy.
    bool wait_for(std::function<bool(const Captured&)> pred, Captured* out, double seconds = 20.0) {
        std::unique_lock g(mu_);
        auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
        for (;;) {
            for (const auto& it : items_)
                if (pred(it)) {
                    if (out) *out = it;
                    return true;
                }
            if (cv_.wait_until(g, deadline) == std::cv_status::timeout) {
                for (const auto& it : items_)
                    if (pred(it)) {
                        if (out) *out = it;
                        return true;
                    }
                return false;
            }
        }
    }
    size_t count() {
        std::lock_guard g(mu_);
        return items_.size();
    }
    size_t count_if(const std::function<bool(const Captured&)>& pred) {
        std::lock_guard g(mu_);
        return size_t(std::count_if(items_.begin(), items_.end(), pred));
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<Captured> items_;
};

}  // namespace vigil::behavior::test
