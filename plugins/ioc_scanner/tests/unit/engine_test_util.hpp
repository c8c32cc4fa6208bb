#pragma once
// Shared by the engine tests: temp dirs, IOC document builders, a fake action
// sink (quarantine, isolation and response stand-ins), test processes.
#include <doctest/doctest.h>
#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <vigil/common/process_kill.hpp>
#include <vigil/common/safe_fs.hpp>

#include "scan_engine.hpp"
#include "vigil/testing/temp_dir.hpp"

namespace vigil::ioc_scanner::test {

using namespace vigil::ioc_scanner;
namespace fs = std::filesystem;

// The shared TempDir (tests/support) with the member these tests use.
struct TempDir : vigil::testing::TempDir {
    fs::path path = vigil::testing::TempDir::path();
};

inline void write(const fs::path& p, const std::string& data) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << data;
}

struct FakeSink : ActionSink {
    std::vector<std::string> quarantined;
    std::vector<ActionRecord> done;
    std::string isolate_error;
    uint64_t next = 100;
    std::vector<std::string> phases;
    uint64_t threat(const ScanReport&, const IndicatorMatch&) override { return next++; }
    std::string quarantine(const vigil::common::FileRef& f, const std::string& meta) override {
        CHECK(meta.find("\"detection\":\"openioc\"") != std::string::npos);
        quarantined.push_back(f.path);
        vigil::common::unlink_verified(f);
        return "{\"id\":\"q1\"}";
    }
    std::string isolate(const std::string&) override {
        if (!isolate_error.empty()) throw std::runtime_error(isolate_error);
        return "{\"isolated\":true}";
    }
    // Stands in for response.terminate_process: pins by the start time the
    // process matched with and terminates through the pidfd, as response does.
    std::vector<TerminateTarget> terminate_asked;
    std::string terminate_error;
    std::string terminate(const TerminateTarget& t) override {
        terminate_asked.push_back(t);
        if (!terminate_error.empty()) throw std::runtime_error(terminate_error);
        auto pin = vigil::common::PinnedProcess::pin(t.pid, t.start_ticks);
        if (!pin) throw std::runtime_error("refused: " + pin.error());
        auto end = vigil::common::terminate_pinned({&pin}, {.grace_ms = 2000})[0];
        return std::string("{\"matched\":1,\"terminated\":[{\"pid\":") + std::to_string(t.pid) +
               ",\"signal\":\"" + end.signal_name() + "\"}]}";
    }
    void action_done(const ScanReport&, const ActionRecord& a) override { done.push_back(a); }
    void progress(const Progress& p) override {
        if (phases.empty() || phases.back() != p.phase) phases.push_back(p.phase);
    }
};

inline std::string item(const std::string& search, const std::string& cond, const std::string& content,
                 const std::string& type = "string") {
    return "<IndicatorItem id=\"" + search + "-" + cond + "\" condition=\"" + cond +
           "\" preserve-case=\"false\" negate=\"false\"><Context document=\"" +
           search.substr(0, search.find('/')) + "\" search=\"" + search +
           "\" type=\"mir\"/><Content type=\"" + type + "\">" + content + "</Content></IndicatorItem>";
}

inline std::string ioc_xml(const std::string& id, const std::string& criteria) {
    return "<OpenIOC xmlns=\"http://openioc.org/schemas/OpenIOC_1.1\" id=\"" + id +
           "\"><metadata><short_description>" + id +
           "</short_description><authored_date>2024-01-01T00:00:00Z</authored_date></metadata><criteria>" +
           criteria + "</criteria></OpenIOC>";
}

inline std::string ind(const std::string& op, const std::string& inner) {
    return "<Indicator operator=\"" + op + "\" id=\"" + op + "\">" + inner + "</Indicator>";
}

inline std::set<std::string> paths_of(const ScanReport& r) {
    std::set<std::string> out;
    for (const auto& m : r.matches)
        for (const auto& e : m.evidence) out.insert(e.path);
    return out;
}

inline std::string user_name() {
    struct passwd* pw = getpwuid(getuid());
    return pw ? pw->pw_name : std::to_string(getuid());
}

inline EngineSettings quiet_settings() {
    EngineSettings s;
    s.nice = 0;
    s.io_class = "none";
    return s;
}

inline pid_t spawn_sleep_copy(const fs::path& exe) {
    fs::copy_file("/bin/sleep", exe, fs::copy_options::overwrite_existing);
    pid_t pid = fork();
    if (pid == 0) {
        execl(exe.c_str(), exe.filename().c_str(), "300", nullptr);
        _exit(127);
    }
    // Wait until the kernel shows the new image.
    for (int i = 0; i < 200; ++i) {
        char buf[512];
        ssize_t n = readlink(("/proc/" + std::to_string(pid) + "/exe").c_str(), buf, sizeof buf);
        if (n > 0 && std::string(buf, size_t(n)) == exe.string()) break;
        usleep(10000);
    }
    return pid;
}


}  // namespace vigil::ioc_scanner::test
