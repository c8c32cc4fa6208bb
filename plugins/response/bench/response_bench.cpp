// vigil-bench scenarios of the response plugin (results as JSON lines):
//   response-get-file   copy-while-hashing throughput of get_file against a
//                       plain read+write copy of the same file (baseline, same
//                       run, warm page cache), and the peak-RSS growth during
//                       the fetch (constant memory: ~one 128 KiB chunk).
//   response-run        run_process round trip (spawn in its own session,
//                       capture, reap) against fork+execve+waitpid of the
//                       same program (baseline).
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "bench.hpp"
#include "get_file.hpp"
#include "process_runner.hpp"

namespace {

using vigil::bench::JsonLine;

long max_rss_kib() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

std::string make_temp_dir() {
    std::string tmpl = "/tmp/response_bench.XXXXXX";
    if (!::mkdtemp(tmpl.data())) std::abort();
    return tmpl;
}

void write_pattern(const std::string& path, long long bytes) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<char> buf(1 << 20);
    for (size_t i = 0; i < buf.size(); ++i) buf[i] = char(i * 131 + i / 4099);
    for (long long left = bytes; left > 0;) {
        size_t n = size_t(std::min<long long>(left, (long long)buf.size()));
        if (::write(fd, buf.data(), n) != ssize_t(n)) std::abort();
        left -= (long long)n;
    }
    ::close(fd);
}

// Baseline: the same copy without hashing, same chunk size.
void plain_copy(const std::string& from, const std::string& to) {
    int in = ::open(from.c_str(), O_RDONLY), out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<char> buf(128 * 1024);
    for (;;) {
        ssize_t n = ::read(in, buf.data(), buf.size());
        if (n <= 0) break;
        if (::write(out, buf.data(), size_t(n)) != n) std::abort();
    }
    ::close(in);
    ::close(out);
}

}  // namespace

VIGIL_BENCH(response_get_file, "response-get-file",
            "get_file copy+SHA-256 throughput vs plain copy; RSS growth (--mb N)") {
    const long long mb = args.get_int("mb", 100);
    const std::string dir = make_temp_dir();
    const std::string src = dir + "/source.bin";
    write_pattern(src, mb << 20);
    plain_copy(src, dir + "/warmup");  // page cache warm for both
    ::unlink((dir + "/warmup").c_str());

    double t0 = vigil::bench::now_s();
    plain_copy(src, dir + "/baseline");
    const double baseline_s = vigil::bench::now_s() - t0;
    ::unlink((dir + "/baseline").c_str());

    vigil::response::GetFileLimits lim;
    lim.max_file_size = uint64_t(mb + 1) << 20;
    lim.staging_max_bytes = uint64_t(mb + 1) << 20;
    lim.staging_dir = dir + "/staging";
    const long rss_before = max_rss_kib();
    t0 = vigil::bench::now_s();
    auto staged = vigil::response::get_file(src, lim, nullptr);
    const double fetch_s = vigil::bench::now_s() - t0;
    const long rss_growth = max_rss_kib() - rss_before;
    ::unlink(staged.staged_path.c_str());
    ::rmdir(lim.staging_dir.c_str());
    ::unlink(src.c_str());
    ::rmdir(dir.c_str());

    JsonLine()
        .kv("scenario", "response-get-file")
        .kv("file_mb", mb)
        .kv("baseline_copy_mb_s", double(mb) / baseline_s)
        .kv("get_file_mb_s", double(mb) / fetch_s)
        .kv("time_ratio_vs_plain_copy", fetch_s / baseline_s)
        .kv("peak_rss_growth_kib", (long long)rss_growth)
        .print();
    return 0;
}

VIGIL_BENCH(response_run, "response-run", "run_process round trip vs fork+exec+wait (--runs N)") {
    const long long runs = args.get_int("runs", 200);
    std::vector<double> base, ours;
    for (long long i = 0; i < runs; ++i) {
        double t0 = vigil::bench::now_s();
        pid_t pid = ::fork();
        if (pid == 0) {
            char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
            ::execv(argv[0], argv);
            ::_exit(127);
        }
        ::waitpid(pid, nullptr, 0);
        base.push_back((vigil::bench::now_s() - t0) * 1e6);

        vigil::response::RunSpec spec;
        spec.executable = "/bin/true";
        t0 = vigil::bench::now_s();
        auto r = vigil::response::run_process(spec, nullptr);
        ours.push_back((vigil::bench::now_s() - t0) * 1e6);
        if (!r.exited || r.exit_code != 0) return 1;
    }
    const double b50 = vigil::bench::percentile(base, 50), o50 = vigil::bench::percentile(ours, 50);
    JsonLine()
        .kv("scenario", "response-run")
        .kv("runs", runs)
        .kv("baseline_fork_exec_wait_p50_us", b50)
        .kv("run_process_p50_us", o50)
        .kv("run_process_p99_us", vigil::bench::percentile(ours, 99))
        .kv("p50_ratio", o50 / b50)
        .print();
    return 0;
}
