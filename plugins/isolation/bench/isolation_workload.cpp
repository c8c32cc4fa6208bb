#include "isolation_workload.hpp"

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "controller.hpp"
#include "json_input.hpp"

namespace vigil::isolation::bench {

namespace {

using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t0) {
    return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

double pct(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    size_t i = size_t(p * double(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

std::string exclusions_json(int n) {
    std::string s = "[";
    for (int i = 0; i < n; ++i) {
        if (i) s += ",";
        const std::string net = "10." + std::to_string(i / 250) + "." + std::to_string(i % 250) + ".0/24";
        switch (i % 3) {
            case 0: s += R"({"direction":"both","remote_address":")" + net + "\"}"; break;
            case 1:
                s += R"({"direction":"outbound","protocol":6,"remote_address":")" + net + R"(","remote_ports":)" +
                     std::to_string(1000 + i) + "}";
                break;
            default:
                s += R"({"direction":"inbound","protocol":17,"local_ports":)" + std::to_string(2000 + i) + "}";
        }
    }
    return s + "]";
}

std::string workload(const Options& o) {
    char dir_tmpl[] = "/tmp/isolation_bench_XXXXXX";
    const char* dir = ::mkdtemp(dir_tmpl);
    if (!dir) return R"({"error":"mkdtemp failed"})";
    NftRunner nft;
    StateStore store(std::string(dir) + "/isolation.json");
    ControllerEnv env;  // no self-test, no events: the timed path is command -> rules in the kernel
    Settings settings = parse_settings(
        R"({"table":"vigil_iso_bench","central_nodes":["192.0.2.10:8443"],"self_test":false})");
    Controller c(settings, env, nft, store);

    // Baseline: the smallest possible nft transaction from the same process.
    std::vector<double> base;
    for (int i = 0; i < o.iterations; ++i) {
        auto t0 = clock_type::now();
        nft.run("add table inet vigil_iso_base\ndelete table inet vigil_iso_base\n");
        base.push_back(ms_since(t0));
    }

    // Command received -> rules enforced (parse, validate, build, persist,
    // one nft transaction committed by the kernel). Alternating on/off so
    // each isolation starts from an open network, as in production.
    const std::string args = R"({"timeout_s":3600,"reason":"bench","exclusions":)" + exclusions_json(o.exclusions) + "}";
    std::vector<double> on_ms, on_nft_ms, enforced_ms, off_ms;
    for (int i = 0; i < o.iterations; ++i) {
        auto t0 = clock_type::now();
        c.on(args, "bench");
        on_ms.push_back(ms_since(t0));
        on_nft_ms.push_back(c.last_apply_ms());
        enforced_ms.push_back(c.last_enforced_ms());
        if (!nft.table_exists("vigil_iso_bench")) return R"({"error":"table missing after isolation.on"})";
        t0 = clock_type::now();
        c.off("{}", "bench");
        off_ms.push_back(ms_since(t0));
    }

    const std::string big = R"({"timeout_s":3600,"exclusions":)" + exclusions_json(o.big_exclusions) + "}";
    std::vector<double> big_ms, big_nft_ms;
    for (int i = 0; i < o.big_iterations; ++i) {
        auto t0 = clock_type::now();
        c.on(big, "bench");
        big_ms.push_back(ms_since(t0));
        big_nft_ms.push_back(c.last_apply_ms());
        c.off("{}", "bench");
    }
    std::system((std::string("rm -rf ") + dir).c_str());

    char buf[2048];
    std::snprintf(buf, sizeof buf,
                  "{\"scenario\":\"isolation\",\"iterations\":%d,\"exclusions\":%d,"
                  "\"baseline_nft_txn_ms_p50\":%.3f,"
                  "\"command_to_enforced_ms_p50\":%.3f,\"command_to_enforced_ms_p95\":%.3f,"
                  "\"on_reply_ms_p50\":%.3f,\"on_reply_ms_p95\":%.3f,\"on_reply_ms_max\":%.3f,"
                  "\"on_nft_apply_ms_p50\":%.3f,\"enforced_vs_baseline_ratio_p50\":%.2f,\"target_command_to_enforced_ms_p50\":20,\"target_met\":%s,"
                  "\"off_latency_ms_p50\":%.3f,"
                  "\"big_exclusions\":%d,\"big_on_ms_p50\":%.3f,\"big_on_ms_max\":%.3f,\"big_nft_apply_ms_p50\":%.3f}",
                  o.iterations, o.exclusions, pct(base, 0.5), pct(enforced_ms, 0.5), pct(enforced_ms, 0.95),
                  pct(on_ms, 0.5), pct(on_ms, 0.95), pct(on_ms, 1.0), pct(on_nft_ms, 0.5),
                  pct(enforced_ms, 0.5) / std::max(pct(base, 0.5), 1e-6),
                  pct(enforced_ms, 0.5) <= 20.0 ? "true" : "false", pct(off_ms, 0.5), o.big_exclusions,
                  pct(big_ms, 0.5), pct(big_ms, 1.0), pct(big_nft_ms, 0.5));
    return buf;
}

}  // namespace

std::string run_in_private_netns(const Options& o) {
    int fds[2];
    if (::pipe(fds) != 0) return R"({"error":"pipe failed"})";
    pid_t pid = ::fork();
    if (pid < 0) return R"({"error":"fork failed"})";
    if (pid == 0) {
        ::close(fds[0]);
        std::string out;
        if (::unshare(CLONE_NEWNET) != 0) {
            out = R"({"error":"cannot create a network namespace: needs root"})";
        } else {
            try {
                out = workload(o);
            } catch (const std::exception& e) {
                out = std::string(R"({"error":")") + e.what() + "\"}";
            }
        }
        (void)!::write(fds[1], out.data(), out.size());
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, size_t(n));
    ::close(fds[0]);
    int st = 0;
    ::waitpid(pid, &st, 0);
    return out.empty() ? R"({"error":"benchmark child produced no output"})" : out;
}

}  // namespace vigil::isolation::bench
