// vigil-bench ioc: IOC scan speed on a generated tree against the tools an
// administrator would use over the same tree, in one run.
//   (a) an IOC set with SHA-256 terms (every file is hashed once) against
//       `find DIR -type f -print0 | xargs -0 sha256sum`, both with a cold page
//       cache (caches dropped before every run when /proc/sys/vm/drop_caches is
//       writable; "cold_cache" says whether it was)
//   (b) a name/path-only set (no file is stat()ed or opened) against
//       `find DIR -name X`, warm, best of --repeat; (b_workers) is the same set
//       forced through the worker pool (how such scans ran before)
// Targets: (a) no slower than its baseline; (b) within 1.5x of find.
// Options: --files N (50000) --size-mb M (2048) --dir D (/tmp/vigil-ioc-bench-PID)
//          --workers N (CPUs) --repeat N (3, best run counts) --warm (never drop caches) --keep
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

#include "bench.hpp"
#include "file_view.hpp"
#include "scan_engine.hpp"

namespace {

using namespace vigil::ioc_scanner;
namespace fs = std::filesystem;

struct NullSink : ActionSink {
    uint64_t threat(const ScanReport&, const IndicatorMatch&) override { return 1; }
    std::string quarantine(const vigil::common::FileRef&, const std::string&) override { return "{}"; }
    std::string isolate(const std::string&) override { return "{}"; }
    std::string terminate(const TerminateTarget&) override { return "{}"; }
    void action_done(const ScanReport&, const ActionRecord&) override {}
};

// Writes `files` files totalling about `bytes` bytes, 200 per directory, with
// sizes spread from a few bytes to twice the mean; every file is distinct.
uint64_t generate(const fs::path& dir, long long files, uint64_t bytes) {
    std::mt19937_64 rng(42);
    std::vector<char> pool(16 << 20);
    for (size_t i = 0; i < pool.size(); i += 8) {
        uint64_t v = rng();
        std::memcpy(&pool[i], &v, 8);
    }
    const uint64_t mean = bytes / uint64_t(files);
    uint64_t total = 0;
    for (long long i = 0; i < files; ++i) {
        const fs::path sub = dir / ("d" + std::to_string(i / 200));
        if (i % 200 == 0) fs::create_directories(sub);
        uint64_t size = rng() % (2 * mean + 1);
        if (size > pool.size() - 64) size = pool.size() - 64;
        const fs::path p = sub / ("f" + std::to_string(i) + (i % 7 == 0 ? ".so" : ".dat"));
        int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) throw std::runtime_error("cannot create " + p.string());
        char head[32];
        const int n = snprintf(head, sizeof head, "file-%lld\n", i);
        const size_t off = size_t(rng() % (pool.size() - size));
        bool ok = ::write(fd, head, size_t(n)) == n &&
                  (size == 0 || ::write(fd, pool.data() + off, size) == ssize_t(size));
        ::close(fd);
        if (!ok) throw std::runtime_error("write failed: " + p.string());
        total += uint64_t(n) + size;
    }
    return total;
}

std::string item(const std::string& search, const std::string& cond, const std::string& content,
                 const std::string& type) {
    return "<IndicatorItem id=\"i\" condition=\"" + cond +
           "\" preserve-case=\"false\" negate=\"false\"><Context document=\"FileItem\" search=\"" + search +
           "\" type=\"mir\"/><Content type=\"" + type + "\">" + content + "</Content></IndicatorItem>";
}

std::string ioc_doc(const std::string& items) {
    return "<OpenIOC xmlns=\"http://openioc.org/schemas/OpenIOC_1.1\" "
           "id=\"bench\"><metadata><authored_date>2024-01-01T00:00:00Z</authored_date></"
           "metadata><criteria><Indicator operator=\"OR\" id=\"r\">" +
           items + "</Indicator></criteria></OpenIOC>";
}

void time_scan(const ScanRequest& req, const EngineSettings& s, ScanReport& out) {
    std::atomic<bool> cancel{false};
    NullSink sink;
    out = run_scan(req, s, cancel, sink);
}

void shell(const std::string& cmd) {
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("baseline command failed: " + cmd);
}

// Drops the page cache, dentries and inodes (root only; false when not permitted).
bool drop_caches() {
    sync();
    const int fd = ::open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = ::write(fd, "3", 1) == 1;
    ::close(fd);
    return ok;
}

struct Timed {
    double s = 1e300;
};

// Best wall time of `repeat` runs; with `cold`, caches are dropped before each.
template <class Fn>
Timed best_of(int repeat, bool cold, Fn fn) {
    Timed t;
    for (int i = 0; i < repeat; ++i) {
        if (cold) drop_caches();
        const double t0 = vigil::bench::now_s();
        fn();
        t.s = std::min(t.s, vigil::bench::now_s() - t0);
    }
    return t;
}

}  // namespace

VIGIL_BENCH(ioc, "ioc",
            "IOC scan: SHA-256 set and name-only set vs find|xargs sha256sum on a generated tree") {
    using vigil::bench::JsonLine;
    const long long files = args.get_int("files", 50000);
    const uint64_t bytes = uint64_t(args.get_int("size-mb", 2048)) << 20;
    const fs::path dir = args.get("dir", "/tmp/vigil-ioc-bench-" + std::to_string(getpid()));
    const int repeat = int(std::max(1LL, args.get_int("repeat", 3)));
    const bool keep = args.has("keep");
    if (files < 1) throw std::invalid_argument("--files must be positive");
    if (fs::exists(dir) && !fs::is_empty(dir))
        throw std::invalid_argument(dir.string() + " exists and is not empty");

    struct Cleanup {
        fs::path d;
        bool keep;
        ~Cleanup() {
            std::error_code ec;
            if (!keep) fs::remove_all(d, ec);
        }
    } cleanup{dir, keep};

    double t0 = vigil::bench::now_s();
    const uint64_t total = generate(dir, files, bytes);
    const double gen_s = vigil::bench::now_s() - t0;
    sync();

    // The needle: one file whose hash is in set (a) and whose name is in set (b).
    const std::string needle = (dir / "d0" / "f1.dat").string();
    Digests d;
    hash_file(needle, false, false, true, ~0ull, d, nullptr, nullptr, nullptr);

    std::string sha_items;
    std::mt19937_64 rng(7);
    for (int i = 0; i < 200; ++i) {
        char h[65];
        snprintf(h, sizeof h, "%016llx%016llx%016llx%016llx", (unsigned long long)rng(),
                 (unsigned long long)rng(), (unsigned long long)rng(), (unsigned long long)rng());
        sha_items += item("FileItem/Sha256sum", "is", h, "sha256");
    }
    sha_items += item("FileItem/Sha256sum", "is", d.sha256, "sha256");
    std::string name_items;
    for (int i = 0; i < 200; ++i)
        name_items += item("FileItem/FileName", "is", "implant" + std::to_string(i) + ".bin", "string");
    name_items += item("FileItem/FullPath", "contains", "/cron.hourly/", "string");
    name_items += item("FileItem/FileExtension", "is", "xyz", "string");
    name_items += item("FileItem/FullPath", "ends-with", "/d0/f1.dat", "string");

    EngineSettings s;
    s.nice = 0;
    s.io_class = "none";
    s.default_exclusions.clear();
    s.workers = unsigned(args.get_int("workers", std::max(1u, std::thread::hardware_concurrency())));
    ScanRequest a, b;
    a.paths = b.paths = {dir.string()};
    a.ioc_xml = {ioc_doc(sha_items)};
    b.ioc_xml = {ioc_doc(name_items)};
    a.documents = b.documents = DocumentSwitches{true, false, false, false, false, false, false, false};

    const bool cold = !args.has("warm") && drop_caches();
    Timed base = best_of(repeat, cold, [&] { shell("find '" + dir.string() + "' -type f -print0 | xargs -0 sha256sum >/dev/null"); });
    ScanReport ra, rb, rw;
    Timed ta = best_of(repeat, cold, [&] { time_scan(a, s, ra); });
    Timed find_name = best_of(repeat, false, [&] { shell("find '" + dir.string() + "' -name implant0.bin >/dev/null"); });
    Timed tb = best_of(repeat, false, [&] { time_scan(b, s, rb); });
    EngineSettings via_workers = s;
    via_workers.force_file_workers = true;
    Timed tw = best_of(repeat, false, [&] { time_scan(b, via_workers, rw); });
    auto matched = [](const ScanReport& r) {
        long long n = 0;
        for (const auto& m : r.matches) n += (long long)m.total;
        return n;
    };
    JsonLine j;
    j.kv("bench", "ioc")
        .kv("files", (long long)files)
        .kv("bytes", (long long)total)
        .kv("workers", (long long)s.workers)
        .kv("generate_s", gen_s)
        .kv("cold_cache", cold)
        .kv("baseline_find_xargs_sha256sum_s", base.s)
        .kv("a_sha256_iocs_s", ta.s)
        .kv("a_files_hashed", (long long)ra.files_hashed)
        .kv("a_bytes_hashed", (long long)ra.bytes_hashed)
        .kv("a_matches", matched(ra))
        .kv("baseline_find_name_s", find_name.s)
        .kv("b_name_path_iocs_s", tb.s)
        .kv("b_files_stat", (long long)rb.files_stat)
        .kv("b_files_opened", (long long)rb.files_opened)
        .kv("b_matches", matched(rb))
        .kv("b_workers_s", tw.s)
        .kv("b_workers_matches", matched(rw))
        .kv("a_vs_baseline", ta.s / base.s)
        .kv("b_vs_find_name", tb.s / find_name.s)
        .kv("b_workers_vs_find_name", tw.s / find_name.s)
        .kv("a_mb_per_s", double(ra.bytes_hashed) / (1 << 20) / ta.s)
        .kv("target_a_le_baseline", ta.s <= base.s)
        .kv("target_b_le_1_5x_find_name", tb.s <= 1.5 * find_name.s);
    if (args.json) {
        j.print();
    } else {
        std::printf(
            "files %lld, %.1f MB, %s cache; sha256sum %.3f s; (a) sha256 %.3f s (%.2fx); find -name %.3f s; "
            "(b) names %.3f s (%.2fx; %.2fx through workers)\n",
            files, double(total) / (1 << 20), cold ? "cold" : "warm", base.s, ta.s, ta.s / base.s, find_name.s,
            tb.s, tb.s / find_name.s, tw.s / find_name.s);
    }
    return (ra.files_scanned == uint64_t(files) && rb.files_scanned == uint64_t(files) && matched(ra) == 1 &&
            matched(rb) == 1 && matched(rw) == 1 && rb.files_opened == 0)
               ? 0
               : 1;
}
