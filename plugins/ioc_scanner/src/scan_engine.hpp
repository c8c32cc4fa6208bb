// One IOC scan: load and compile the IOCs, collect the small documents the
// IOCs use, stream files through parallel workers, evaluate, then report and
// carry out the requested actions through an ActionSink.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <vigil/common/safe_fs.hpp>

#include "collectors.hpp"
#include "compiled_ioc.hpp"
#include "evaluator.hpp"
#include "file_view.hpp"
#include "file_walker.hpp"

namespace vigil::ioc_scanner {

struct DocumentSwitches {
    bool files = true, processes = true, ports = true, arp = true, dns = true, users = true, system = true,
         services = true;
    bool enabled(Document d) const;
};

struct ScanRequest {
    std::vector<std::string> ioc_files;
    std::vector<std::string> ioc_xml;  // inline documents (tasks from the central node)
    std::vector<std::string> paths;    // empty: the configured default paths
    std::vector<std::string> exclusions;
    DocumentSwitches documents;
    std::string path_hint_regex;
    bool quarantine = false, terminate = false, isolate = false;  // "report" is always done
    bool other_mount_namespaces = false;
    bool other_mount_namespaces_set = false;  // false: the plugin's setting applies
    std::string origin;                       // who asked: "vigilctl", "task:<id>", ...
};

struct EngineSettings {
    FileLimits limits;
    unsigned workers = 2;
    int nice = 10;                         // niceness of the scan threads (0 = unchanged)
    std::string io_class = "best-effort";  // "idle", "best-effort" or "none"
    int io_level = 7;                      // best-effort level 0 (high) .. 7 (low)
    unsigned cpu_limit_percent = 0;        // of one core, for the whole scan; 0 = no cap
    std::vector<std::string> default_paths = {"/"};
    std::vector<std::string> default_exclusions = {"/proc", "/sys", "/dev", "/run"};
    size_t max_evidence = 100;  // evidence entries kept per indicator
    CollectOptions collect;
    // Tests: evaluate name-only IOCs on the worker pool too (the results must not differ).
    bool force_file_workers = false;
    bool operator==(const EngineSettings&) const = default;
};

struct Progress {
    std::string phase;  // "loading", "collecting", "files", "evaluating", "actions", "done"
    uint64_t files_scanned = 0, files_matched = 0, bytes_hashed = 0, directories = 0;
    uint64_t matches = 0;
    double elapsed_s = 0;
};

struct Evidence {
    Document document = Document::File;
    std::string object;
    std::vector<Hit> hits;
    // files
    std::string path, open_path, mount_ns, sha256;
    vigil::common::FileStamp stamp;  // when it matched (dev 0, ino 0: unknown); actions check it
    // processes / ports
    int pid = 0;
    uint64_t start_ticks = 0;
    std::string exe;
};

struct IndicatorMatch {
    size_t ioc = 0;  // index into ScanReport::iocs
    std::vector<Evidence> evidence;
    uint64_t total = 0;  // evidence items found (evidence keeps max_evidence)
    uint64_t threat_id = 0;
};

struct ActionRecord {
    std::string action;  // "quarantine", "terminate", "isolate"
    std::string object;
    bool ok = false;
    std::string error;
    std::string details_json;  // JSON object
    uint64_t threat_id = 0;
    std::string ioc_id;
};

// A matched process to terminate (processes and ports).
struct TerminateTarget {
    int pid = 0;
    uint64_t start_ticks = 0;  // /proc/PID/stat field 22 when it matched (0: unknown)
    std::string exe;
};

struct LoadError {
    std::string source;
    int line = 0;
    std::string reason;
};

struct ScanReport {
    uint64_t scan_id = 0;
    std::string status = "completed";  // "completed", "canceled", "failed"
    std::string error;
    double duration_s = 0;
    std::vector<CompiledIoc> iocs;
    std::vector<LoadError> load_errors;
    std::vector<std::string> warnings;  // scan-level (disabled documents, collector problems)
    std::vector<IndicatorMatch> matches;
    std::vector<ActionRecord> actions;
    // counts
    uint64_t files_scanned = 0, files_hashed = 0, bytes_hashed = 0, hash_skipped_too_large = 0,
             read_errors = 0, directories = 0, excluded = 0, hint_skipped = 0, walk_errors = 0,
             mount_namespaces = 0;
    uint64_t files_stat = 0, files_opened = 0;  // stat()s and open()s of walked files
    uint64_t items[kDocumentCount] = {};
};

// What the engine needs from its host: the quarantine store, the isolation
// and response plugins, the bus. Calls come from the scan thread.
class ActionSink {
public:
    virtual ~ActionSink() = default;
    // Publishes the detection; returns its threat id.
    virtual uint64_t threat(const ScanReport& report, const IndicatorMatch& m) = 0;
    // Moves the matched file (resolved without following links, checked
    // against the stamp it matched with) into the host's quarantine store;
    // returns the entry JSON or throws with the reason.
    virtual std::string quarantine(const vigil::common::FileRef& file, const std::string& meta_json) = 0;
    // Asks the isolation plugin to isolate the host; returns its result JSON or
    // throws with the reason (e.g. "plugin isolation is disabled").
    virtual std::string isolate(const std::string& reason_json) = 0;
    // Asks the response plugin to terminate the process (guarded by the start
    // time it matched with); returns response's result JSON or throws with
    // the reason (refused, already gone, plugin disabled, no answer).
    virtual std::string terminate(const TerminateTarget& target) = 0;
    virtual void action_done(const ScanReport& report, const ActionRecord& a) = 0;
    virtual void progress(const Progress&) {}
};

// Loads IOCs; bad documents become LoadErrors (the scan goes on with the rest).
void load_iocs(const ScanRequest& req, ScanReport& report);

// Runs a whole scan. Never throws: failures end in report.status == "failed".
ScanReport run_scan(const ScanRequest& req, const EngineSettings& settings, std::atomic<bool>& cancel,
                    ActionSink& sink, uint64_t scan_id = 0);

// The arguments of response.terminate_process for a matched process: its
// pid, the start time it matched with (so response refuses a reused pid) and
// the grace period from SIGTERM to SIGKILL.
std::string terminate_args(const TerminateTarget& t, unsigned grace_s);
// The terminate action's details: pid, exe and response's result, if any.
std::string terminate_details(const TerminateTarget& t, const std::string& response_json);

}  // namespace vigil::ioc_scanner
