// vigil-bench telemetry: the whole telemetry path with real processes —
// test_source publishes on the bus of a real vigild, kataedr converts, batches,
// gzips and uploads over mTLS on loopback to a real vigil-central, which
// stores the rows in SQLite. Reports events/s from the bus to stored rows,
// CPU seconds per 100,000 events of each process, and the rate at which a
// spool filled during an outage drains when the central node returns.
// Event counts are rounded up to whole batches of 1024: a last, partial batch would
// otherwise wait out max_send_delay_s (1 s here) and that wait, not throughput, would end
// the measurement.
// Options: --events N (default 300000), --text-index true|false (the central
// node's full-text index, default true as in central.yaml), --keep (leave the
// work directory), --parallel-uploads N (kataedr's setting, default 2),
// --baseline DIR: also run the same scenario with the binaries of an older build
// (DIR/bin/vigild, DIR/bin/vigil-central, DIR/plugins, DIR/test-plugins) whose agent has
// no identity of its own (shared client certificate + X-Vigil-Agent-Id, as before
// per-agent certificates), alternating with this build --rounds N times (default 1), and
// report the medians and their ratio.
#include <fcntl.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench.hpp"

extern char** environ;

namespace {

using vigil::bench::JsonLine;
namespace fs = std::filesystem;

std::string env_or(const char* name, const std::string& def) {
    const char* v = std::getenv(name);
    return v && *v ? v : def;
}

std::string run_capture(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen((cmd + " 2>/dev/null").c_str(), "r");
    if (!p) return out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
    return out;
}

pid_t spawn_logged(const std::vector<std::string>& argv, const std::string& log) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
    return pid;
}

void stop_process(pid_t& pid) {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    int st = 0;
    ::waitpid(pid, &st, 0);
    pid = -1;
}

int free_port() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
}

bool wait_for(double seconds, const std::function<bool()>& ok, double step = 0.05) {
    double end = vigil::bench::now_s() + seconds;
    while (vigil::bench::now_s() < end) {
        if (ok()) return true;
        std::this_thread::sleep_for(std::chrono::duration<double>(step));
    }
    return ok();
}

struct Setup {
    std::string dir, bin, central, central_cfg, agent_cfg, socket;
    pid_t central_pid = -1, vigild_pid = -1;
    bool keep = false;

    ~Setup() {
        stop_process(vigild_pid);
        stop_process(central_pid);
        if (!keep && !dir.empty()) {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    }

    std::string vigilctl(const std::string& args) const {
        return run_capture(bin + "/vigilctl --socket " + socket + " " + args);
    }

    // kataedr's status object (and the host's bus counters).
    rapidjson::Document status() const {
        rapidjson::Document d;
        std::string s = vigilctl("--json status");
        d.Parse(s.c_str());
        return d;
    }

    int64_t kataedr_value(const char* section, const char* key) const {
        auto d = status();
        if (d.HasParseError() || !d.IsObject() || !d.HasMember("plugins")) return -1;
        for (const auto& p : d["plugins"].GetArray()) {
            if (std::string(p["name"].GetString()) != "kataedr" || !p.HasMember("status")) continue;
            const auto& s = p["status"];
            if (!section) return s.HasMember(key) && s[key].IsBool() ? s[key].GetBool() : -1;
            if (s.HasMember(section) && s[section].HasMember(key) && s[section][key].IsInt64())
                return s[section][key].GetInt64();
        }
        return -1;
    }

    int64_t bus_dropped() const {
        auto d = status();
        return !d.HasParseError() && d.IsObject() && d.HasMember("bus") ? d["bus"]["dropped"].GetInt64() : -1;
    }

    int64_t stored(const char* what) const {
        rapidjson::Document d;
        std::string s = run_capture(central + " --config " + central_cfg + " stats --json");
        d.Parse(s.c_str());
        return !d.HasParseError() && d.IsObject() && d.HasMember(what) ? d[what].GetInt64() : -1;
    }
    int64_t stored_events() const { return stored("events"); }

    void start_central() {
        central_pid = spawn_logged({central, "serve", "--config", central_cfg}, dir + "/central.log");
        if (!wait_for(
                30, [&] { return stored_events() >= 0; }, 0.1))
            throw std::runtime_error("vigil-central did not come up (see " + dir + "/central.log)");
    }

    // Publishes `count` file/process/network events through test_source,
    // paced so kataedr's bus queue never overflows (the sustainable rate).
    void emit(int64_t count, int64_t already_received) {
        const int64_t chunk = 16384;
        const char* types[] = {"process_start", "network", "file"};
        int64_t sent = 0;
        for (int i = 0; sent < count; ++i) {
            int64_t n = std::min(chunk, count - sent);
            vigilctl(std::string("call test_source.emit '{\"type\":\"") + types[i % 3] +
                     "\",\"count\":" + std::to_string(n) + ",\"marker\":\"benchmark\"}'");
            sent += n;
            wait_for(
                60,
                [&] { return kataedr_value("telemetry", "received") >= already_received + sent - 3 * chunk; },
                0.02);
        }
    }
};

struct Options {
    int64_t n = 0, spool_n = 0, parallel_uploads = 2, batch = 1024;
    std::string text_index = "true";
    bool keep = false;
};

struct RunResult {
    double events_per_s = 0, producer_events_per_s = 0, agent_cpu_s = 0, central_cpu_s = 0, drain_events_per_s = 0;
    int64_t dropped = 0, batches = 0, spool_bytes = 0;
};

// Writes central.yaml and vigil.yaml for one run. `per_agent_identity`: this build (roles,
// enrollment token); otherwise the configuration an older build understands (the agent
// authenticates with the shared client certificate only).
void write_configs(Setup& s, const Options& o, const std::string& root, int port, bool per_agent_identity) {
    const std::string c = s.dir + "/certs";
    s.central_cfg = s.dir + "/central.yaml";
    std::ofstream(s.central_cfg) << "listen:\n  address: 127.0.0.1\n  port: " << port
                                 << "\ntls:\n  certificate: " << c << "/server.crt\n  private_key: " << c
                                 << "/server.key\n  client_ca: " << c
                                 << "/ca.crt\n  require_client_certificate: true\nstorage:\n  database: "
                                 << s.dir << "/central.db\n  files_dir: " << s.dir
                                 << "/files\n  text_index: " << o.text_index
                                 << "\noperators:\n  tokens:\n    - name: bench\n"
                                 << (per_agent_identity ? "      role: admin\n" : "") << "      token_file: " << c
                                 << "/operator.token\ncli:\n  certificate: " << c << "/client.crt\n  private_key: " << c
                                 << "/client.key\n";
    s.socket = s.dir + "/vigild.sock";
    s.agent_cfg = s.dir + "/vigil.yaml";
    std::ofstream out(s.agent_cfg);
    out << "agent:\n  plugin_dir: [" << root << "/test-plugins/kataedr, " << root << "/plugins, " << root
        << "/test-plugins]\n  state_dir: " << s.dir << "/state\n  control_socket: " << s.socket
        << "\n  log_level: warn\nplugins:\n  behavior:\n    enabled: true\n  test_source:\n"
           "    enabled: true\n  kataedr:\n    enabled: true\n    servers: [\"https://127.0.0.1:"
        << port << "\"]\n    server_ca: " << c << "/ca.crt\n    mutual_auth: true\n"
        << "    client_p12: " << c << "/client.p12\n    client_p12_password_file: " << c
        << "/client.p12.pass\n    max_send_delay_s: 1\n    max_batch_events: " << o.batch
        << "\n    parallel_uploads: " << o.parallel_uploads << "\n    rate_limit_enabled: false\n"
        << "    spool_max_mb: 2048\n";
    if (per_agent_identity) out << "    enrollment_token_file: " << s.dir << "/enroll.token\n";
}

// One run: start both sides, steady state bus -> stored rows, then an outage and the spool drain.
RunResult run_once(const Options& o, const std::string& root, bool per_agent_identity) {
    Setup s;
    s.keep = o.keep;
    std::string tmpl = "/tmp/vigil-bench-telemetry.XXXXXX";
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    s.dir = tmpl;
    s.bin = root + "/bin";
    s.central = per_agent_identity ? env_or("VIGIL_CENTRAL_BIN", s.bin + "/vigil-central") : s.bin + "/vigil-central";
    std::string gen_certs = env_or("VIGIL_GEN_CERTS", std::string(VIGIL_SOURCE_DIR) + "/tools/gen-certs");
    if (!fs::exists(s.central)) throw std::runtime_error("vigil-central is not built: " + s.central);
    if (std::system((gen_certs + " " + s.dir + "/certs >/dev/null").c_str()) != 0)
        throw std::runtime_error("gen-certs failed");
    write_configs(s, o, root, free_port(), per_agent_identity);
    s.start_central();
    // The agent enrolls (its own key pair and certificate) like a production one.
    if (per_agent_identity && std::system(("umask 077 && " + s.central + " --config " + s.central_cfg +
                                           " enroll create --expires 1h >" + s.dir + "/enroll.token 2>/dev/null")
                                              .c_str()) != 0)
        throw std::runtime_error("enroll create failed (see " + s.dir + "/central.log)");
    s.vigild_pid = spawn_logged({s.bin + "/vigild", "--config", s.agent_cfg}, s.dir + "/vigild.log");
    if (!wait_for(
            30, [&] { return s.kataedr_value(nullptr, "connected") == 1; }, 0.1))
        throw std::runtime_error("kataedr did not connect (see " + s.dir + "/vigild.log)");

    RunResult r;
    double agent_cpu0 = vigil::bench::pid_cpu_s(s.vigild_pid), central_cpu0 = vigil::bench::pid_cpu_s(s.central_pid);
    double t0 = vigil::bench::now_s();
    s.emit(o.n, 0);
    double t_emitted = vigil::bench::now_s();
    if (!wait_for(
            300, [&] { return s.stored_events() >= o.n; }, 0.05))
        throw std::runtime_error("only " + std::to_string(s.stored_events()) + " of " + std::to_string(o.n) +
                                 " events were stored");
    double t1 = vigil::bench::now_s();
    r.events_per_s = double(o.n) / (t1 - t0);
    r.producer_events_per_s = double(o.n) / (t_emitted - t0);
    r.agent_cpu_s = vigil::bench::pid_cpu_s(s.vigild_pid) - agent_cpu0;
    r.central_cpu_s = vigil::bench::pid_cpu_s(s.central_pid) - central_cpu0;
    r.dropped = s.bus_dropped();
    r.batches = s.stored("batches");

    stop_process(s.central_pid);
    s.emit(o.spool_n, o.n);
    if (!wait_for(
            120, [&] { return s.kataedr_value("spool", "events") >= o.spool_n; }, 0.1))
        throw std::runtime_error("events were not spooled during the outage");
    r.spool_bytes = s.kataedr_value("spool", "bytes");
    s.start_central();
    double d0 = vigil::bench::now_s();
    if (!wait_for(
            300, [&] { return s.stored_events() >= o.n + o.spool_n; }, 0.05))
        throw std::runtime_error("the spool did not drain");
    r.drain_events_per_s = double(o.spool_n) / (vigil::bench::now_s() - d0);
    return r;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

VIGIL_BENCH(
    kataedr_telemetry, "telemetry",
    "kataedr -> vigil-central over mTLS on loopback: events/s bus -> stored rows, CPU s per 100k events "
    "each side, spool drain rate (--events N, --baseline OLD_BUILD_DIR [--rounds N])") {
    Options o;
    auto whole_batches = [&](int64_t events) { return std::max<int64_t>((events + o.batch - 1) / o.batch, 1) * o.batch; };
    o.n = whole_batches(args.get_int("events", 300000));
    o.spool_n = whole_batches(o.n / 2);
    o.text_index = args.get("text-index", "true");
    o.parallel_uploads = args.get_int("parallel-uploads", 2);
    o.keep = args.has("keep");
    const std::string baseline = args.get("baseline");
    const int rounds = baseline.empty() ? 1 : std::max<int>(1, int(args.get_int("rounds", 1)));
    std::vector<double> base_rates, rates;
    RunResult r;
    for (int i = 0; i < rounds; ++i) {
        if (!baseline.empty()) base_rates.push_back(run_once(o, baseline, false).events_per_s);
        r = run_once(o, VIGIL_BINARY_DIR, true);
        rates.push_back(r.events_per_s);
    }
    const double rate = median(rates), base = median(base_rates);
    const double n = double(o.n);
    JsonLine j;
    j.kv("scenario", "telemetry")
        .kv("events", (long long)o.n)
        .kv("batches", (long long)r.batches)
        .kv("events_per_s", rate)
        .kv("target_events_per_s", 50000.0)
        .kv("ratio_to_target", rate / 50000.0);
    if (!baseline.empty())
        j.kv("baseline_events_per_s", base).kv("ratio_to_baseline", rate / base).kv("rounds", (long long)rounds);
    j.kv("identity", "per-agent certificate (enrolled)")
        .kv("producer_events_per_s", r.producer_events_per_s)
        .kv("agent_cpu_s_per_100k", r.agent_cpu_s * 100000.0 / n)
        .kv("central_cpu_s_per_100k", r.central_cpu_s * 100000.0 / n)
        .kv("bus_dropped", (long long)r.dropped)
        .kv("spool_events", (long long)o.spool_n)
        .kv("spool_bytes", (long long)r.spool_bytes)
        .kv("spool_drain_events_per_s", r.drain_events_per_s)
        .kv("central_text_index", o.text_index == "true")
        .kv("parallel_uploads", (long long)o.parallel_uploads)
        .kv("transport", "mTLS over loopback, gzip batches of 1024");
    if (args.json) {
        j.print();
    } else {
        std::printf("telemetry: %.0f events/s bus->stored (target 50000, ratio %.2f)", rate, rate / 50000.0);
        if (!baseline.empty()) std::printf("; baseline %.0f events/s, ratio %.3f", base, rate / base);
        std::printf("; CPU per 100k events: agent %.2f s, central %.2f s; spool drain %.0f events/s; bus drops %lld\n",
                    r.agent_cpu_s * 100000.0 / n, r.central_cpu_s * 100000.0 / n, r.drain_events_per_s,
                    (long long)r.dropped);
    }
    return 0;
}

}  // namespace
