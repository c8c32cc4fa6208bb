#include "log_limiter.hpp"

#include <cctype>

namespace vigil::core {

LogRateLimiter::LogRateLimiter() : LogRateLimiter(Limits{}) {}
LogRateLimiter::LogRateLimiter(Limits limits) : limits_(limits) {}

std::string LogRateLimiter::normalize(std::string_view m) {
    std::string out;
    out.reserve(std::min<size_t>(m.size(), 160));
    for (size_t i = 0; i < m.size() && out.size() < 160; ++i) {
        if (std::isdigit(static_cast<unsigned char>(m[i]))) {
            while (i + 1 < m.size() && std::isxdigit(static_cast<unsigned char>(m[i + 1]))) ++i;
            out.push_back('#');
        } else {
            out.push_back(m[i]);
        }
    }
    return out;
}

bool LogRateLimiter::count(Window& w, int level, std::string_view message, unsigned limit) {
    if (w.written < limit) {
        ++w.written;
        return true;
    }
    w.held.level = std::max(w.held.level, level);
    w.held.last = std::string(message);
    ++w.held.count;
    return false;
}

bool LogRateLimiter::admit(int level, std::string_view component, std::string_view message, Clock::time_point now) {
    auto open = [&](Window& w) {
        w.start = now;
        w.held.component = std::string(component);
    };
    std::string ckey(component);
    auto [cit, cfresh] = components_.try_emplace(ckey);
    if (cfresh) {
        open(cit->second);
        cit->second.held.whole_component = true;
    }
    std::string key = ckey + '\0' + char('0' + level) + normalize(message);
    auto mit = messages_.find(key);
    if (mit == messages_.end()) {
        // Too many distinct messages at once: the component budget alone applies.
        if (messages_.size() >= limits_.max_keys) return count(cit->second, level, message, limits_.component_burst);
        mit = messages_.emplace(std::move(key), Window{}).first;
        open(mit->second);
    }
    if (!count(mit->second, level, message, limits_.burst)) return false;
    if (count(cit->second, level, message, limits_.component_burst)) return true;
    // Written by the message limit but over the component budget: not twice counted.
    --mit->second.written;
    return false;
}

std::vector<LogRateLimiter::Suppressed> LogRateLimiter::expire(Clock::time_point now) {
    std::vector<Suppressed> out;
    for (auto* table : {&messages_, &components_}) {
        for (auto it = table->begin(); it != table->end();) {
            if (now - it->second.start < limits_.window) {
                ++it;
                continue;
            }
            if (it->second.held.count) out.push_back(std::move(it->second.held));
            it = table->erase(it);
        }
    }
    return out;
}

}  // namespace vigil::core
