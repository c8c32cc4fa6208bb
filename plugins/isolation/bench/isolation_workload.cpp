#include "isolation_workload.hpp"

#include <rapidjson/document.h>
#include <vigil/common/small_file.hpp>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>
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
            case 0:
                s += R"({"direction":"both","remote_address":")" + net + "\"}";
                break;
            case 1:
                s += R"({"direction":"outbound","protocol":6,"remote_address":")" + net +
                     R"(","remote_ports":)" + std::to_string(1000 + i) + "}";
                break;
            default:
                s +=
                    R"({"direction":"inbound","protocol":17,"local_ports":)" + std::to_string(2000 + i) + "}";
        }
    }
    return s + "]";
}

// One request line to the control socket, one reply line back.
std::string control_call(const std::string& sock, const std::string& request) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return "";
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, sock.c_str(), sizeof a.sun_path - 1);
    std::string reply;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        const std::string line = request + "\n";
        if (::write(fd, line.data(), line.size()) == ssize_t(line.size())) {
            char buf[8192];
            ssize_t n;
            while ((n = ::read(fd, buf, sizeof buf)) > 0) {
                reply.append(buf, size_t(n));
                if (reply.find('\n') != std::string::npos) break;
            }
        }
    }
    ::close(fd);
    return reply;
}

// isolation.on / off through a real vigild (bus, executor, plugin .so).
std::string end_to_end(const Options& o, const std::string& dir, vigil::common::nft::Runner& nft) {
    const std::string vigild = o.binary_dir + "/bin/vigild";
    if (::access(vigild.c_str(), X_OK) != 0) return "\"e2e\":\"skipped: no vigild\"";
    const std::string sock = dir + "/vigild.sock", cfg = dir + "/vigil.yaml";
    std::ofstream(cfg) << "agent:\n  plugin_dir: " << o.binary_dir << "/plugins\n  state_dir: " << dir
                       << "/state\n  control_socket: " << sock
                       << "\n  log_level: warn\nplugins:\n  isolation:\n    enabled: true\n"
                          "    table: vigil_iso_bench_e2e\n    central_nodes: [\"192.0.2.10:8443\"]\n"
                          "    self_test: false\n";
    pid_t pid = ::fork();
    if (pid == 0) {
        ::execl(vigild.c_str(), vigild.c_str(), "--config", cfg.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    std::string up;
    for (int i = 0; i < 100 && up.find("\"ok\":true") == std::string::npos; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        up = control_call(sock, R"({"cmd":"call","name":"isolation.status","args":{},"timeout_ms":5000})");
    }
    std::string out;
    if (up.find("\"ok\":true") == std::string::npos) {
        out = "\"e2e\":\"vigild did not answer\"";
    } else {
        const std::string on =
            R"({"cmd":"call","name":"isolation.on","args":{"timeout_s":3600,"exclusions":)" +
            exclusions_json(o.exclusions) + R"(},"timeout_ms":10000})";
        const std::string off = R"({"cmd":"call","name":"isolation.off","args":{},"timeout_ms":10000})";
        std::vector<double> rtt, enforced;
        bool all_ok = true;
        for (int i = 0; i < o.iterations; ++i) {
            auto t0 = clock_type::now();
            const std::string r = control_call(sock, on);
            rtt.push_back(ms_since(t0));
            rapidjson::Document d;
            d.Parse(r.c_str());
            if (d.HasParseError() || !d.IsObject() || !d.HasMember("result") || !d["result"].IsObject() ||
                !d["result"].HasMember("enforced_ms") || !nft.table_exists("inet", "vigil_iso_bench_e2e")) {
                all_ok = false;
                break;
            }
            enforced.push_back(d["result"]["enforced_ms"].GetDouble());
            control_call(sock, off);
        }
        char buf[512];
        std::snprintf(
            buf, sizeof buf,
            "\"e2e_ok\":%s,\"e2e_client_roundtrip_ms_p50\":%.3f,\"e2e_client_roundtrip_ms_p95\":%.3f,"
            "\"e2e_plugin_command_to_enforced_ms_p50\":%.3f,\"e2e_plugin_command_to_enforced_ms_p95\":%.3f",
            all_ok ? "true" : "false", pct(rtt, 0.5), pct(rtt, 0.95), pct(enforced, 0.5),
            pct(enforced, 0.95));
        out = buf;
    }
    ::kill(pid, SIGTERM);
    int st = 0;
    ::waitpid(pid, &st, 0);
    return out;
}

std::string workload(const Options& o) {
    char dir_tmpl[] = "/tmp/isolation_bench_XXXXXX";
    const char* dir = ::mkdtemp(dir_tmpl);
    if (!dir) return R"({"error":"mkdtemp failed"})";
    vigil::common::nft::Runner nft;
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
    const std::string args =
        R"({"timeout_s":3600,"reason":"bench","exclusions":)" + exclusions_json(o.exclusions) + "}";
    std::vector<double> on_ms, on_nft_ms, enforced_ms, off_ms;
    for (int i = 0; i < o.iterations; ++i) {
        auto t0 = clock_type::now();
        c.on(args, "bench");
        on_ms.push_back(ms_since(t0));
        on_nft_ms.push_back(c.last_apply_ms());
        enforced_ms.push_back(c.last_enforced_ms());
        if (!nft.table_exists("inet", "vigil_iso_bench")) return R"({"error":"table missing after isolation.on"})";
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
    const std::string e2e =
        o.binary_dir.empty() ? std::string("\"e2e\":\"skipped\"") : end_to_end(o, dir, nft);
    std::system((std::string("rm -rf ") + dir).c_str());

    char buf[2048];
    std::snprintf(buf, sizeof buf,
                  "{\"scenario\":\"isolation\",\"iterations\":%d,\"exclusions\":%d,"
                  "\"baseline_nft_txn_ms_p50\":%.3f,"
                  "\"command_to_enforced_ms_p50\":%.3f,\"command_to_enforced_ms_p95\":%.3f,"
                  "\"on_reply_ms_p50\":%.3f,\"on_reply_ms_p95\":%.3f,\"on_reply_ms_max\":%.3f,"
                  "\"on_nft_apply_ms_p50\":%.3f,\"enforced_vs_baseline_ratio_p50\":%.2f,\"target_command_to_"
                  "enforced_ms_p50\":20,\"target_met\":%s,"
                  "\"off_latency_ms_p50\":%.3f,"
                  "\"big_exclusions\":%d,\"big_on_ms_p50\":%.3f,\"big_on_ms_max\":%.3f,\"big_nft_apply_ms_"
                  "p50\":%.3f,%s}",
                  o.iterations, o.exclusions, pct(base, 0.5), pct(enforced_ms, 0.5), pct(enforced_ms, 0.95),
                  pct(on_ms, 0.5), pct(on_ms, 0.95), pct(on_ms, 1.0), pct(on_nft_ms, 0.5),
                  pct(enforced_ms, 0.5) / std::max(pct(base, 0.5), 1e-6),
                  pct(enforced_ms, 0.5) <= 20.0 ? "true" : "false", pct(off_ms, 0.5), o.big_exclusions,
                  pct(big_ms, 0.5), pct(big_ms, 1.0), pct(big_nft_ms, 0.5), e2e.c_str());
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
    const std::string out = vigil::common::read_until_eof(fds[0]);
    ::close(fds[0]);
    ::waitpid(pid, nullptr, 0);
    return out.empty() ? R"({"error":"benchmark child produced no output"})" : out;
}

}  // namespace vigil::isolation::bench
