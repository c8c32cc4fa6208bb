// Telemetry exclusions: events of processes matching a rule are not sent.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "settings.hpp"

namespace vigil::kataedr {

class Exclusions {
public:
    // Compiles the rules; throws std::invalid_argument naming the rule index
    // and the regex error.
    explicit Exclusions(const std::vector<ExclusionRule>& rules);
    ~Exclusions();
    Exclusions(const Exclusions&) = delete;
    Exclusions& operator=(const Exclusions&) = delete;

    bool empty() const { return rules_.empty(); }
    // Thread-safe. True when any rule matches (all fields a rule sets match).
    bool excluded(std::string_view exe, std::string_view cmdline) const;

private:
    struct Compiled;
    std::vector<std::unique_ptr<Compiled>> rules_;
};

}  // namespace vigil::kataedr
