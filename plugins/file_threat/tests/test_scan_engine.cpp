#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include "eicar.hpp"
#include "recording_reporter.hpp"
#include "scan_engine.hpp"
#include "test_util.hpp"

using namespace file_threat;

namespace {
ScanReport scan_path(const Engines& e, const std::string& path, ScanRequest req = {}) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    req.fd = fd;
    req.path = path;
    ::fstat(fd, &req.st);
    auto r = scan_file(e, req);
    ::close(fd);
    return r;
}
}  // namespace

TEST_CASE("file_threat scan: EICAR, hash list and YARA detections in one pass") {
    TempDir dir;
    auto list = dir.file("list.txt", "# test list\n" + to_hex(digest_bytes("bad content\n").sha256) + ";Test.Bad\n");
    auto engines = Engines::load({corpus("yara/yara-rules/malware/MALW_Eicar.yar")}, {list}, true);

    auto r = scan_path(*engines, dir.file("eicar.com", eicar_string()));
    CHECK(r.outcome == ScanOutcome::Infected);
    REQUIRE(r.detections.size() == 2);
    CHECK(r.detections[0].engine == "eicar");
    CHECK(r.detections[1].engine == "yara");
    CHECK(r.detections[1].rule == "eicar");
    REQUIRE(r.digests);

    r = scan_path(*engines, dir.file("bad.bin", "bad content\n"));
    CHECK(r.outcome == ScanOutcome::Infected);
    REQUIRE(r.detections.size() == 1);
    CHECK(r.detections[0].engine == "hash");
    CHECK(r.detections[0].title == "Test.Bad");

    CHECK(scan_path(*engines, dir.file("ok.txt", "fine\n")).outcome == ScanOutcome::Clean);
    CHECK(scan_path(*engines, dir.file("empty", "")).outcome == ScanOutcome::Clean);
}

TEST_CASE("file_threat scan: size limit, deadline and cancellation") {
    TempDir dir;
    auto engines = Engines::load({}, {}, true);
    auto big = dir.file("big", std::string(4096, 'x'));
    ScanRequest req;
    req.max_size = 1024;
    CHECK(scan_path(*engines, big, req).outcome == ScanOutcome::SkippedTooLarge);

    req = {};
    req.test_delay_ms = 5000;
    req.deadline = Clock::now() + std::chrono::milliseconds(50);
    auto t0 = Clock::now();
    CHECK(scan_path(*engines, big, req).outcome == ScanOutcome::TimedOut);
    CHECK(Clock::now() - t0 < std::chrono::seconds(4));

    std::atomic<bool> cancel{true};
    req = {};
    req.test_delay_ms = 5000;
    req.cancel = &cancel;
    CHECK(scan_path(*engines, big, req).outcome == ScanOutcome::Cancelled);
}

TEST_CASE("file_threat scan: engine load errors are collected with file and line") {
    TempDir dir;
    auto list = dir.file("broken.txt", "zzzz\n44d88612fea8a8f36de82e1278abb02f\n");
    try {
        Engines::load({}, {list}, true);
        FAIL("bad list loaded");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find(list + ":1: 'zzzz' is not a hexadecimal hash") != std::string::npos);
    }
}
