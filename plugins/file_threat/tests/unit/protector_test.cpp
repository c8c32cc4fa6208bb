#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/fanotify.h>
#include <unistd.h>

#include "eicar.hpp"
#include "on_demand_scan.hpp"
#include "protector.hpp"
#include "recording_reporter.hpp"
#include "test_util.hpp"

using namespace vigil::file_threat;

namespace {
// An access event as the monitor would build it for `path`.
struct FakeAccess {
    AccessEvent ev;
    FakeAccess(const std::string& path, uint64_t mask) {
        ev.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        REQUIRE(ev.fd >= 0);
        ev.mask = mask;
        ev.pid = ::getpid();
        ::fstat(ev.fd, &ev.st);
        ev.stamp = FileStamp::of(ev.st);
        ev.path = path;
    }
    ~FakeAccess() { ::close(ev.fd); }
};
}  // namespace

TEST_CASE("file_threat protector: execution prevention denies exec only, and a new list voids the verdicts") {
    TempDir dir;
    auto tool = dir.file("tool", "#!/bin/sh\necho hi\n");
    RecordingReporter rep;
    Protector p(rep, 64);
    p.set_engines(Engines::load({}, {}, true));
    auto list = PreventionList::parse_json("{\"sha256\":[\"" + to_hex(digest_bytes("#!/bin/sh\necho hi\n").sha256) + "\"]}");
    p.set_prevention(std::make_shared<PreventionList>(list));
    std::atomic<bool> cancel{false};

    FakeAccess open_ev(tool, FAN_OPEN_PERM);
    auto d = p.decide(open_ev.ev, Clock::now() + std::chrono::seconds(5), cancel);
    CHECK(d.allow);                    // reading a blocked program is fine
    CHECK_FALSE(d.clean_and_stable);   // but no kernel-side "clean" mark for it
    CHECK(rep.threat_count() == 0);

    FakeAccess exec_ev(tool, FAN_OPEN_EXEC_PERM);
    CHECK(p.cached_decision(exec_ev.ev.stamp, true) == false);  // from the open's verdict
    CHECK(p.cached_decision(exec_ev.ev.stamp, false) == true);
    p.cache().clear();
    d = p.decide(exec_ev.ev, Clock::now() + std::chrono::seconds(5), cancel);
    CHECK_FALSE(d.allow);
    REQUIRE(rep.threats.size() == 1);
    CHECK(rep.threats[0].rfind("prevention:sha256:", 0) == 0);
    CHECK(rep.actions == std::vector<std::string>{"block:ok:" + tool});

    const auto gen = p.generation();
    p.set_prevention(std::make_shared<PreventionList>());  // replaced by an empty list
    CHECK(p.generation() == gen + 1);
    CHECK_FALSE(p.cached_decision(exec_ev.ev.stamp, true).has_value());
    d = p.decide(exec_ev.ev, Clock::now() + std::chrono::seconds(5), cancel);
    CHECK(d.allow);
    CHECK(d.clean_and_stable);
}

TEST_CASE("file_threat protector: on-demand scan applies first, then second action") {
    TempDir dir;
    auto eicar = dir.file("sub/eicar.com", eicar_string());
    dir.file("sub/clean.txt", "ok");
    dir.file("skip/eicar.com", eicar_string());
    RecordingReporter rep;
    rep.quarantine_fails = true;
    Protector p(rep, 64);
    p.set_engines(Engines::load({}, {}, true));
    p.set_prevention(std::make_shared<PreventionList>());
    std::atomic<bool> cancel{false};

    ScanJobRequest req;
    req.paths = {dir.path.string()};
    req.actions = {Action::Quarantine, Action::Delete};
    ThreatContext base;
    base.origin = "task:42";
    int progress_calls = 0;
    auto s = run_scan_job(7, req, p, Exclusions({(dir.path / "skip").string()}), base, cancel,
                          [&](const ScanJobSummary&, bool) { ++progress_calls; });
    CHECK(s.files == 2);
    CHECK(s.excluded == 1);
    CHECK(s.infected == 1);
    CHECK(progress_calls >= 1);
    REQUIRE(s.detections.size() == 1);
    REQUIRE(s.detections[0].actions.size() == 2);
    CHECK_FALSE(s.detections[0].actions[0].ok);  // quarantine store unavailable
    CHECK(s.detections[0].actions[1].ok);        // so the file was deleted
    CHECK_FALSE(std::filesystem::exists(eicar));
    CHECK(std::filesystem::exists(dir.path / "skip/eicar.com"));
    CHECK(s.to_json().find("\"job_id\":7") != std::string::npos);

    // Not recursive: only the files directly in the directory.
    req.recursive = false;
    s = run_scan_job(8, req, p, Exclusions(), base, cancel, [](const ScanJobSummary&, bool) {});
    CHECK(s.files == 0);
    // A missing path is an error that names it.
    req.paths = {"/nonexistent/x"};
    s = run_scan_job(9, req, p, Exclusions(), base, cancel, [](const ScanJobSummary&, bool) {});
    CHECK(s.errors == 1);
    REQUIRE(s.error_list.size() == 1);
    CHECK(s.error_list[0].first == "/nonexistent/x");
}
