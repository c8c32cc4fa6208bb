// vigil-bench ioc: IOC scan speed on a generated tree against
// `find DIR -type f -print0 | xargs -0 sha256sum` over the same tree, in one run.
//   (a) an IOC set with SHA-256 terms (every file is hashed once)
//   (b) a name/path-only set (no file is opened)
// Targets: (a) no slower than the baseline; (b) at least 10x faster than (a).
// Options: --files N (50000) --size-mb M (2048) --dir D (/tmp/vigil-ioc-bench-PID)
//          --workers N (CPUs) --repeat N (2, best run counts) --keep (leave the tree)
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

double time_scan(const ScanRequest& req, const EngineSettings& s, ScanReport& out) {
    std::atomic<bool> cancel{false};
    NullSink sink;
    const double t0 = vigil::bench::now_s();
    out = run_scan(req, s, cancel, sink);
    return vigil::bench::now_s() - t0;
}

}  // namespace

VIGIL_BENCH(ioc, "ioc",
            "IOC scan: SHA-256 set and name-only set vs find|xargs sha256sum on a generated tree") {
    using vigil::bench::JsonLine;
    const long long files = args.get_int("files", 50000);
    const uint64_t bytes = uint64_t(args.get_int("size-mb", 2048)) << 20;
    const fs::path dir = args.get("dir", "/tmp/vigil-ioc-bench-" + std::to_string(getpid()));
    const int repeat = int(std::max(1LL, args.get_int("repeat", 2)));
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

    const std::string baseline_cmd =
        "find '" + dir.string() + "' -type f -print0 | xargs -0 sha256sum >/dev/null";
    double base = 1e300, ta = 1e300, tb = 1e300;
    ScanReport ra, rb;
    for (int i = 0; i < repeat; ++i) {  // interleaved so both see the same page cache
        t0 = vigil::bench::now_s();
        if (std::system(baseline_cmd.c_str()) != 0) throw std::runtime_error("baseline command failed");
        base = std::min(base, vigil::bench::now_s() - t0);
        ta = std::min(ta, time_scan(a, s, ra));
        tb = std::min(tb, time_scan(b, s, rb));
    }
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
        .kv("baseline_find_xargs_sha256sum_s", base)
        .kv("a_sha256_iocs_s", ta)
        .kv("a_files_hashed", (long long)ra.files_hashed)
        .kv("a_bytes_hashed", (long long)ra.bytes_hashed)
        .kv("a_matches", matched(ra))
        .kv("b_name_path_iocs_s", tb)
        .kv("b_files_hashed", (long long)rb.files_hashed)
        .kv("b_matches", matched(rb))
        .kv("a_vs_baseline", ta / base)
        .kv("a_over_b", ta / tb)
        .kv("a_mb_per_s", double(ra.bytes_hashed) / (1 << 20) / ta)
        .kv("target_a_le_baseline", ta <= base)
        .kv("target_b_10x_faster_than_a", ta / tb >= 10.0);
    if (args.json) {
        j.print();
    } else {
        std::printf(
            "files %lld, %.1f MB; baseline %.3f s; (a) sha256 %.3f s (%.2fx baseline); (b) names %.3f s "
            "(%.1fx faster than a)\n",
            files, double(total) / (1 << 20), base, ta, ta / base, tb, ta / tb);
    }
    return (ra.files_scanned == uint64_t(files) && rb.files_scanned == uint64_t(files) && matched(ra) == 1 &&
            matched(rb) == 1)
               ? 0
               : 1;
}
