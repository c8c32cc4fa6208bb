// vigil-bench web-threat-lists [--domains N] [--json]: loads a list of N
// synthetic domains (default 1,000,000) from a file, as the plugin does, and
// reports load time, the set's memory (its own accounting and the RSS
// growth), the peak RSS during the build, and the host / URL lookup cost.
// Baseline in the same run: the same file into std::unordered_set<string>.
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <unordered_set>
#include <filesystem>

#include "bench.hpp"
#include "host_name.hpp"
#include "list_parser.hpp"

namespace {

using vigil::bench::now_s;

long status_kib(const char* key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::string k = std::string(key) + ":";
    while (std::getline(in, line))
        if (line.rfind(k, 0) == 0) return std::stol(line.substr(k.size()));
    return -1;
}

double load_avg() {
    double v = -1;
    std::ifstream("/proc/loadavg") >> v;
    return v;
}

// Resets VmHWM to the current RSS (Linux >= 4.0).
void reset_peak() { std::ofstream("/proc/self/clear_refs") << "5"; }

std::string random_domain(std::mt19937_64& rng) {
    static const char* tlds[] = {"com", "net", "org", "xyz", "top", "info", "ru", "de", "co.uk", "io"};
    std::string d;
    const int labels = 1 + int(rng() % 3);
    for (int l = 0; l < labels; ++l) {
        const int len = 4 + int(rng() % 12);
        for (int i = 0; i < len; ++i) d.push_back("abcdefghijklmnopqrstuvwxyz0123456789-"[rng() % (i == 0 ? 36 : 37)]);
        if (d.back() == '-') d.back() = 'x';
        d.push_back('.');
    }
    return d + tlds[rng() % 10];
}

}  // namespace

VIGIL_BENCH(web_threat_lists, "web-threat-lists", "[--domains N]: list load time, memory and lookup cost") {
    using namespace vigil::web_threat;
    const long long n = args.get_int("domains", 1000000);
    char tmpl[] = "/tmp/vigil_bench_lists.XXXXXX";
    if (!::mkdtemp(tmpl)) return 1;
    const std::string path = std::string(tmpl) + "/domains.txt";
    struct Cleanup {
        std::string dir;
        ~Cleanup() { std::filesystem::remove_all(dir); }
    } cleanup{tmpl};
    std::vector<std::string> probes;
    {
        std::mt19937_64 rng(42);
        std::ofstream out(path);
        for (long long i = 0; i < n; ++i) {
            const std::string d = random_domain(rng);
            out << d << '\n';
            if (i % 1000 == 0) probes.push_back("www." + d);  // hits through the suffix rule
        }
        for (int i = 0; i < 100000; ++i) probes.push_back(random_domain(rng));  // mostly misses
    }
    malloc_trim(0);
    const long rss0 = status_kib("VmRSS");
    reset_peak();
    const double t0 = now_s(), cpu0 = vigil::bench::self_cpu_s();
    ListSetBuilder b;
    ListSpec spec;
    spec.name = "bench";
    spec.path = path;
    const LoadReport report = load_list_file(b, spec, uint64_t(1) << 32);
    const double domains_s = now_s() - t0, domains_cpu_s = vigil::bench::self_cpu_s() - cpu0;
    // And 100,000 URLs (a URLhaus-sized list), so URL lookups probe a real table.
    std::string urls;
    for (int i = 0; i < 100000; ++i) urls += "http://files" + std::to_string(i) + ".example.com/dl/" + std::to_string(i) + ".exe\n";
    spec.name = "urls";
    spec.format = ListFormat::urls;
    (void)parse_list_text(b, spec, urls, "urls");
    auto set = b.finish();
    const double load_s = now_s() - t0;
    malloc_trim(0);
    const long rss1 = status_kib("VmRSS"), peak1 = status_kib("VmHWM");

    size_t hits = 0;
    const double t1 = now_s();
    for (const auto& p : probes) hits += set->match_host(canonical_host(p), kAllCategories).has_value();
    const double host_ns = (now_s() - t1) * 1e9 / double(probes.size());
    // Canonicalisation included: a request's URL arrives as text.
    const std::string miss = "http://a.b.c.d.example.com/1/2/3/4/file.html?q=1";
    const std::string hit = "http://files77.example.com/dl/77.exe";
    const double t2 = now_s();
    size_t url_hits = 0;
    for (int i = 0; i < 100000; ++i)
        url_hits += set->match_url(*canonicalize_url(i % 2 ? hit : miss), kAllCategories).has_value();
    const double url_ns = (now_s() - t2) * 1e9 / 100000;

    // Baseline: the obvious structure, same file, same process.
    reset_peak();
    const long rss2 = status_kib("VmRSS");
    const double t3 = now_s();
    std::unordered_set<std::string> naive;
    {
        std::ifstream in(path);
        std::string line;
        while (std::getline(in, line)) naive.insert(canonical_host(line));
    }
    const double naive_s = now_s() - t3;
    const long rss3 = status_kib("VmRSS");

    vigil::bench::JsonLine j;
    j.kv("scenario", "web-threat-lists").kv("domains", (long long)report.entries)
        .kv("load_s", domains_s).kv("load_cpu_s", domains_cpu_s).kv("load_with_urls_s", load_s).kv("set_bytes", (long long)set->memory_bytes())
        .kv("set_mib", double(set->memory_bytes()) / 1048576.0)
        .kv("rss_growth_mib", double(rss1 - rss0) / 1024.0).kv("peak_rss_growth_mib", double(peak1 - rss0) / 1024.0)
        .kv("domain_table_mib", double(set->domain_table_bytes()) / 1048576.0)
        .kv("bytes_per_domain", double(set->domain_table_bytes()) / double(report.entries))
        .kv("host_lookup_ns", host_ns).kv("host_hits", (long long)hits).kv("url_lookup_ns", url_ns)
        .kv("url_hits", (long long)url_hits)
        .kv("baseline_unordered_set_load_s", naive_s).kv("baseline_rss_growth_mib", double(rss3 - rss2) / 1024.0)
        .kv("load_time_ratio_to_baseline", domains_s / naive_s).kv("load_avg_1m", load_avg())
        .kv("goal_load_s", 1.0).kv("goal_mib", 24.0)
        .kv("load_goal_met", domains_s <= 1.0).kv("memory_goal_met", double(set->domain_table_bytes()) <= 24.0 * 1048576);
    if (!args.json) std::printf("web-threat-lists benchmark (JSON):\n");
    j.print();
    return 0;
}
