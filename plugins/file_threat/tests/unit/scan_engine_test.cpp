#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <thread>

#include "eicar.hpp"
#include "recording_reporter.hpp"
#include "scan_engine.hpp"
#include "test_util.hpp"

using namespace vigil::file_threat;

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

TEST_CASE("file_threat scan: a file over the size limit is scanned head and tail, digests cover all of it") {
    TempDir dir;
    const std::string head = "HEADMARK-0123456789", tail = "TAILMARK-9876543210";
    const std::string padded = head + std::string(1 << 20, 'p') + tail;
    auto list = dir.file("list.txt", to_hex(digest_bytes(padded).sha256) + ";Padded.Bad\n");
    auto rules = dir.file("r.yar",
                          "rule head_mark { strings: $a = \"HEADMARK-0123456789\" condition: $a at 0 }\n"
                          "rule tail_mark { strings: $a = \"TAILMARK-9876543210\" condition: $a at filesize - 19 }\n"
                          "rule big_file { condition: filesize > 1000000 }\n");
    auto engines = Engines::load({rules}, {list}, true);
    ScanRequest req;
    req.max_size = 4096;  // far below the file's size
    auto r = scan_path(*engines, dir.file("padded.bin", padded), req);
    CHECK(r.outcome == ScanOutcome::Infected);
    CHECK(r.partial);
    std::vector<std::string> found;
    for (const auto& d : r.detections) found.push_back(d.engine + ":" + (d.engine == "hash" ? d.title : d.rule));
    CHECK(found == std::vector<std::string>{"hash:Padded.Bad", "yara:head_mark", "yara:tail_mark", "yara:big_file"});
    REQUIRE(r.digests);
    CHECK(r.digests->sha256 == digest_bytes(padded).sha256);

    // Without a hash list or YARA a large file reads nothing: EICAR is at most 128 bytes.
    auto eicar_only = Engines::load({}, {}, true);
    r = scan_path(*eicar_only, dir.file("big", std::string(4096, 'x')), req);
    CHECK(r.outcome == ScanOutcome::Clean);
}

TEST_CASE("file_threat scan: a file truncated and rewritten while it is scanned never crashes the scan") {
    TempDir dir;
    auto rules = dir.file("r.yar", "rule x { strings: $a = \"NEEDLE\" condition: $a }\n");
    auto list = dir.file("list.txt", std::string(64, 'a') + "\n");
    auto engines = Engines::load({rules}, {list}, true);
    const std::string path = dir.file("victim", std::string(8 << 20, 'v'));
    std::atomic<bool> stop{false};
    std::thread truncater([&] {
        const std::string content(8 << 20, 'v');
        while (!stop) {
            REQUIRE(::truncate(path.c_str(), 0) == 0);
            int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
            REQUIRE(fd >= 0);
            REQUIRE(::write(fd, content.data(), content.size()) == ssize_t(content.size()));
            ::close(fd);
        }
    });
    int shrank = 0;
    for (int i = 0; i < 60; ++i) {
        // The size comes from fstat before the read, as for a fanotify event.
        auto r = scan_path(*engines, path);
        CHECK(r.outcome == ScanOutcome::Clean);
        shrank += r.shrank;
    }
    stop = true;
    truncater.join();
    MESSAGE("scans that saw the file shrink: " << shrank);
}

TEST_CASE("file_threat scan: deadline and cancellation") {
    TempDir dir;
    auto engines = Engines::load({}, {}, true);
    auto big = dir.file("big", std::string(4096, 'x'));
    ScanRequest req;

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
