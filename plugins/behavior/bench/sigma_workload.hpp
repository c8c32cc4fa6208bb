// The Sigma engine micro-benchmark as plain functions: a realistic mix of bus
// payloads run through event_from_message() + Detector::evaluate().
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "behavior_sigma/detector.hpp"

namespace vigil::behavior::sigma::bench {

struct Payload {
    std::uint32_t type = 0;
    std::vector<char> bytes;
};

// `count` payloads: ~70 % process starts of everyday commands, ~20 % file
// writes, ~10 % outbound connections, and about 1 in 200 an attack the
// default rules catch. Deterministic for a given seed.
std::vector<Payload> make_workload(std::size_t count, std::uint32_t seed = 1);

struct RunResult {
    std::size_t events = 0;
    std::size_t matches = 0;
    double seconds = 0;      // wall clock
    double cpu_seconds = 0;  // CPU time of the measuring thread (robust on a shared machine)
    double events_per_cpu_second() const { return cpu_seconds > 0 ? double(events) / cpu_seconds : 0; }
    double cpu_ns_per_event() const { return events ? cpu_seconds * 1e9 / double(events) : 0; }
};

// Builds the SigmaEvent of each payload `rounds` times, without evaluating:
// the baseline cost of the glue.
RunResult run_build_only(const std::vector<Payload>& work, std::size_t rounds);
// Builds and evaluates each payload `rounds` times.
RunResult run_detector(const Detector& d, const std::vector<Payload>& work, std::size_t rounds);

// The SigmaHQ Linux rule folders under <corpus>/sigma.
std::vector<std::filesystem::path> corpus_rule_dirs(const std::filesystem::path& corpus);

}  // namespace vigil::behavior::sigma::bench
