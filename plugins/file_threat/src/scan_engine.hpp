#pragma once

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "content_reader.hpp"
#include "digest.hpp"
#include "hash_list.hpp"
#include "yara_engine.hpp"

namespace vigil::file_threat {

// One reason a file is considered a threat.
struct Detection {
    std::string engine;  // "yara", "hash", "eicar", "prevention"
    std::string rule;    // rule name, hash comment, ...
    std::string title;
    std::string description;
    std::string author;
    std::string tags;
    uint32_t severity = 3;  // vigil_severity
};

// The loaded detection engines: an immutable snapshot that scans share, swapped
// as a whole on reconfigure so a scan never sees half-loaded rules.
struct Engines {
    std::shared_ptr<const YaraRules> yara;
    HashList hashes;
    bool eicar = true;

    // Loads everything; throws std::runtime_error listing every problem
    // (unreadable list, bad hash line "file:line: reason", YARA compile error).
    static std::shared_ptr<const Engines> load(const std::vector<std::string>& yara_sources,
                                               const std::vector<std::string>& hash_lists, bool eicar);
};

struct ScanRequest {
    int fd = -1;            // open for reading; not closed by the scan
    std::string path;       // for reports and YARA externals (may be empty)
    struct stat st {};      // fstat of fd
    Clock::time_point deadline = Clock::time_point::max();
    const std::atomic<bool>* cancel = nullptr;
    uint64_t max_size = 0;  // content held in memory; a larger file is scanned head + tail (0 = 1 GiB)
    bool want_digests = false;
    unsigned test_delay_ms = 0;  // TEST ONLY: simulated slow scan
};

enum class ScanOutcome { Clean, Infected, TimedOut, Cancelled, Error };
const char* outcome_name(ScanOutcome o);

struct ScanReport {
    ScanOutcome outcome = ScanOutcome::Clean;
    std::vector<Detection> detections;
    std::optional<Digests> digests;  // when wanted, needed by a hash list, or infected
    std::string error;
    bool partial = false;  // larger than max_size: content engines saw head and tail (digests: all)
    bool shrank = false;   // the file lost bytes while it was read (it changed during the scan)
};

// Scans one open regular file with every engine. Never throws.
ScanReport scan_file(const Engines& engines, const ScanRequest& req);

}  // namespace vigil::file_threat
