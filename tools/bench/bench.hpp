// vigil-bench: benchmark scenarios that print JSON. A scenario registers
// itself with VIGIL_BENCH(identifier, "name", "one-line help") and receives
// the remaining command-line words. Speed goals are judged from ratios
// against a baseline measured in the same run, never by timed assertions.
#pragma once
#include <sys/resource.h>
#include <sys/time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace vigil::bench {

struct Args {
    std::vector<std::string> words;
    bool json = false;
    // --key value or --key=value; `def` when absent.
    std::string get(const std::string& key, const std::string& def = "") const {
        for (size_t i = 0; i < words.size(); ++i) {
            if (words[i] == "--" + key && i + 1 < words.size()) return words[i + 1];
            if (words[i].rfind("--" + key + "=", 0) == 0) return words[i].substr(key.size() + 3);
        }
        return def;
    }
    long long get_int(const std::string& key, long long def) const {
        std::string v = get(key);
        return v.empty() ? def : std::stoll(v);
    }
    bool has(const std::string& flag) const {
        return std::find(words.begin(), words.end(), "--" + flag) != words.end();
    }
};

using BenchFn = int (*)(const Args&);
struct Scenario {
    const char* name;
    const char* help;
    BenchFn fn;
};
std::vector<Scenario>& registry();
struct Registrar {
    Registrar(const char* name, const char* help, BenchFn fn) { registry().push_back({name, help, fn}); }
};

#define VIGIL_BENCH(ident, name, help)                                                   \
    static int vigil_bench_##ident(const ::vigil::bench::Args& args);                    \
    static ::vigil::bench::Registrar vigil_bench_reg_##ident(name, help, vigil_bench_##ident); \
    static int vigil_bench_##ident(const ::vigil::bench::Args& args)

inline double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// CPU seconds (user + system) of this process so far.
inline double self_cpu_s() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// CPU seconds (user + system) of another process, from /proc/PID/stat.
inline double pid_cpu_s(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto rp = s.rfind(')');
    if (rp == std::string::npos) return -1;
    std::vector<std::string> f;
    std::string cur;
    for (size_t i = rp + 2; i < s.size(); ++i) {
        if (s[i] == ' ') {
            f.push_back(cur);
            cur.clear();
        } else {
            cur.push_back(s[i]);
        }
    }
    if (f.size() < 15) return -1;
    double ticks = double(sysconf(_SC_CLK_TCK));
    return (std::stod(f[11]) + std::stod(f[12])) / ticks;  // utime, stime (fields 14, 15)
}

// Resident set size of a process in KiB.
inline long rss_kib(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

// Percentile (0..100) of a sample set; sorts in place.
inline double percentile(std::vector<double>& v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    size_t idx = size_t(p / 100.0 * double(v.size() - 1) + 0.5);
    return v[std::min(idx, v.size() - 1)];
}

// Runs a benchmark driver script (a shell command) and prints its JSON report;
// without --json, under a one-line title. Returns 0 when the driver succeeded.
inline int run_driver(const std::string& cmd, const Args& args, const char* title) {
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return 1;
    std::string out;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    const int rc = ::pclose(p);
    if (!args.json) std::printf("%s benchmark report (JSON):\n", title);
    std::printf("%s", out.c_str());
    return rc == 0 ? 0 : 1;
}

// A tiny JSON object writer for one result line.
class JsonLine {
public:
    JsonLine& kv(const char* k, const std::string& v) {
        add_key(k);
        s_ += '"';
        for (char c : v) {
            if (c == '"' || c == '\\') s_ += '\\';
            s_ += c;
        }
        s_ += '"';
        return *this;
    }
    JsonLine& kv(const char* k, const char* v) { return kv(k, std::string(v)); }
    JsonLine& kv(const char* k, double v) {
        add_key(k);
        char b[64];
        std::snprintf(b, sizeof b, "%.6g", v);
        s_ += b;
        return *this;
    }
    JsonLine& kv(const char* k, long long v) {
        add_key(k);
        s_ += std::to_string(v);
        return *this;
    }
    JsonLine& kv(const char* k, bool v) {
        add_key(k);
        s_ += v ? "true" : "false";
        return *this;
    }
    JsonLine& raw(const char* k, const std::string& json) {
        add_key(k);
        s_ += json;
        return *this;
    }
    std::string str() const { return "{" + s_ + "}"; }
    void print() const {
        std::printf("%s\n", str().c_str());
        std::fflush(stdout);
    }

private:
    void add_key(const char* k) {
        if (!s_.empty()) s_ += ',';
        s_ += '"';
        s_ += k;
        s_ += "\":";
    }
    std::string s_;
};

}  // namespace vigil::bench
