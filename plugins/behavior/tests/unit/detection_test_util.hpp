#pragma once
// Shared by the detection tests: a temporary rules directory, a process-start
// payload, and the record of a child once its command line shows a marker.
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include "process/proc_reader.hpp"
#include "workload.hpp"

namespace vigil::behavior::test {

// Matches a command line holding "unit-marker-7d1c".
inline constexpr const char* kMarkerRule = R"(title: Unit test marker
id: 0b7f0b5e-1111-4c4e-9d55-2b7c9a0e4d11
status: test
description: marker in a command line
author: Vigil unit tests
tags: [attack.execution, attack.t1059.004]
logsource: {product: linux, category: process_creation}
detection:
  selection:
    CommandLine|contains: 'unit-marker-7d1c'
  condition: selection
level: critical
)";


// One Sigma rule file in a fresh directory, removed at the end.
struct RuleDir {
    std::string dir = make_temp_dir("behavior_rules_");
    explicit RuleDir(const char* rule) { std::ofstream(dir + "/marker.yml") << rule; }
    ~RuleDir() { std::filesystem::remove_all(dir); }
};

inline std::vector<char> process_start(const vigil::ProcessInfo& p) {
    vigil::PayloadBuilder<vigil_process_event> b;
    b.set_process(&vigil_process_event::process, p);
    auto* d = static_cast<const char*>(b.data());
    return std::vector<char>(d, d + b.size());
}

// The record of `pid` once its command line holds `marker` (exec done: the
// kernel sets the new executable before the new command line). Up to 20 s: a
// loaded machine, or a sanitizer build, may take long for fork + exec.
inline std::optional<ProcessRecord> record_with_marker(pid_t pid, const std::string& marker) {
    auto rec = ProcReader().read(pid);
    for (int i = 0; i < 4000 && !(rec && rec->info.cmdline.find(marker) != std::string::npos); ++i) {
        ::usleep(5000);
        rec = ProcReader().read(pid);
    }
    if (!rec || rec->info.cmdline.find(marker) == std::string::npos) return std::nullopt;
    return rec;
}

}  // namespace vigil::behavior::test
