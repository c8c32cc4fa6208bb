// vigil-web-worker: the process that receives the redirected web traffic.
// Started by the web_threat plugin with its configuration on fd 3 and a
// report socket on fd 4. As root it loads the lists, binds its loopback
// sockets and (fail_mode open) creates the redirect table owned by its own
// netlink socket; then it drops to the worker uid with no capabilities and
// serves until it is stopped or vigild goes away.
#include <signal.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vigil/common/nft.hpp>
#include <vigil/common/time.hpp>
#include <vigil/json_writer.hpp>

#include "builtin_lists.hpp"
#include "dns_forwarder.hpp"
#include "dns_tcp.hpp"
#include "list_loader.hpp"
#include "mitm_context.hpp"
#include "privileges.hpp"
#include "redirect_rules.hpp"
#include "settings.hpp"
#include "tcp_server.hpp"
#include "verdict.hpp"
#include "worker_control.hpp"
#include "worker_config.hpp"

namespace vigil::web_threat {
namespace {

constexpr int kConfigFd = 3, kReportFd = 4;

std::string read_config() {
    std::string text;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(kConfigFd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::runtime_error(std::string("reading the configuration: ") + std::strerror(errno));
        if (n == 0) break;
        text.append(buf, size_t(n));
        if (text.size() > (64u << 20)) throw std::runtime_error("configuration larger than 64 MiB");
    }
    ::close(kConfigFd);
    return text;
}

struct Sockets {
    std::vector<int> tcp, udp, dns_tcp;
};

// 127.0.0.1 must bind; ::1 may be missing (IPv6 disabled on the host).
Sockets bind_sockets(const Settings& s, bool dns) {
    Sockets out;
    const int t4 = listen_tcp("127.0.0.1", s.listen_port);
    if (t4 < 0) throw std::runtime_error("127.0.0.1:" + std::to_string(s.listen_port) + ": " + std::strerror(errno));
    out.tcp.push_back(t4);
    if (const int t6 = listen_tcp("::1", s.listen_port); t6 >= 0) out.tcp.push_back(t6);
    if (!dns) return out;
    const int u4 = bind_udp("127.0.0.1", s.dns_port);
    if (u4 < 0) throw std::runtime_error("udp 127.0.0.1:" + std::to_string(s.dns_port) + ": " + std::strerror(errno));
    out.udp.push_back(u4);
    if (const int u6 = bind_udp("::1", s.dns_port); u6 >= 0) out.udp.push_back(u6);
    // DNS over TCP on the same port (RFC 7766: every resolver speaks both).
    const int d4 = listen_tcp("127.0.0.1", s.dns_port);
    if (d4 < 0) throw std::runtime_error("tcp 127.0.0.1:" + std::to_string(s.dns_port) + ": " + std::strerror(errno));
    out.dns_tcp.push_back(d4);
    if (const int d6 = listen_tcp("::1", s.dns_port); d6 >= 0) out.dns_tcp.push_back(d6);
    return out;
}

Policy load_policy(const Settings& s, const WorkerConfig& c) {
    const CentralLists central(c.state_dir + "/central_lists");
    std::vector<ListSpec> kept;
    try {
        kept = central.kept();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vigil-web-worker: %s\n", e.what());
    }
    LoadOutcome out = load_lists(s.lists, kept, builtin_lists(s), uint64_t(s.max_list_mb) << 20, true);
    Policy p;
    p.blocked = out.set;
    p.trusted = build_trusted(s.trusted_addresses);
    p.enabled = s.enabled();
    p.block = s.block;
    return p;
}

// The encrypted connections scan, made as root (trust files); when it
// cannot be made the worker runs without it and says why.
std::unique_ptr<MitmContext> make_mitm(const Settings& s, const WorkerConfig& c) {
    if (!s.mitm.enabled || c.mitm_ca_cert.empty()) return nullptr;
    std::vector<std::string> names = builtin_mitm_exclusions();
    names.insert(names.end(), c.mitm_exclusions.begin(), c.mitm_exclusions.end());
    names.insert(names.end(), s.mitm.excluded_domains.begin(), s.mitm.excluded_domains.end());
    try {
        return std::make_unique<MitmContext>(ca_from_pem({c.mitm_ca_cert, c.mitm_ca_key}, "the CA"), s.mitm, names);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vigil-web-worker: encrypted connections scan off: %s\n", e.what());
        JsonWriter w;
        w.begin_object().field("type", "mitm").field("event", "off").field("reason", e.what()).end_object();
        const std::string msg = w.take();
        (void)::send(kReportFd, msg.data(), msg.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        return nullptr;
    }
}

DnsBlockMode dns_mode(const std::string& m) {
    return m == "null" ? DnsBlockMode::null : m == "nxdomain" ? DnsBlockMode::nxdomain : DnsBlockMode::sinkhole;
}

// A connection holds up to six descriptors (two sockets, two pipes): the
// default soft limit of 1024 would refuse connections long before
// max_connections.
void raise_descriptor_limit() {
    rlimit r{};
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

int run() {
    ::signal(SIGPIPE, SIG_IGN);
    raise_descriptor_limit();
    const WorkerConfig config = parse_worker_config(read_config());
    const Settings settings = parse_settings(config.settings_json);
    const bool dns = settings.dns && !config.dns_upstreams.empty();
    static ConnectionContext ctx;
    ctx.policy = load_policy(settings, config);
    ctx.limits.first_bytes_ms = int(settings.first_bytes_ms);
    ctx.listen_port = settings.listen_port;
    static const std::unique_ptr<MitmContext> mitm = make_mitm(settings, config);
    ctx.mitm = mitm.get();
    const Sockets sockets = bind_sockets(settings, dns);
    // Held until the process ends: the owned table lives as long as this
    // context's netlink socket.
    std::unique_ptr<common::nft::Runner> nft;
    if (!settings.fail_closed) {
        nft = std::make_unique<common::nft::Runner>();
        RedirectPlan plan{config.uid, settings.listen_port, uint16_t(dns ? settings.dns_port : 0), settings.ports, true};
        plan.trusted = ctx.policy.trusted->ip_prefixes(kAllCategories);
        const auto r = nft->run(common::nft::delete_table_text("inet", kRedirectTable) + redirect_ruleset(plan));
        if (!r.ok) throw std::runtime_error("nftables redirect: " + r.error);
    }
    drop_privileges(config.uid, config.gid);
    // Set after the uid switch (which clears it): vigild gone, worker gone.
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != pid_t(config.parent_pid)) return 3;
    static Reporter reporter(kReportFd);
    ctx.reporter = &reporter;
    // New lists from the plugin are swapped in without a restart
    // (worker_control.hpp); every verdict reads them through Policy::lists().
    static const auto live = std::make_shared<ListHolder>(std::move(ctx.policy.blocked));
    ctx.policy.live = live;
    ctx.policy.ids = std::make_shared<ThreatIds>();
    ctx.policy.ids->agent_id = config.agent_id;
    ctx.policy.ids->next = uint64_t(common::realtime_ns() / 1000) << 10;
    std::thread([] { serve_control(kReportFd, *live, reporter); }).detach();
    static DnsConfig dns_config;
    for (const auto& u : config.dns_upstreams) dns_config.upstreams.push_back(*parse_upstream(u));
    dns_config.mode = dns_mode(settings.dns_block_mode);
    dns_config.strip_ech = settings.dns_strip_ech;
    if (dns) std::thread([&] { serve_dns(sockets.udp, ctx.policy, dns_config, &reporter); }).detach();
    reporter.send(R"({"type":"ready"})");
    static DnsTcpContext dns_tcp;
    dns_tcp.policy = ctx.policy;
    dns_tcp.config = dns_config;
    dns_tcp.reporter = &reporter;
    std::vector<Listener> listeners;
    for (int fd : sockets.tcp) listeners.push_back({fd, web_connections(ctx)});
    for (int fd : sockets.dns_tcp) listeners.push_back({fd, dns_tcp_sessions(dns_tcp)});
    static ServerCounters counters;
    serve_tcp(listeners, settings.max_connections, counters, ctx.limits.buffer_bytes);
}

}  // namespace
}  // namespace vigil::web_threat

int main() {
    try {
        return vigil::web_threat::run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vigil-web-worker: %s\n", e.what());
        vigil::JsonWriter w;
        w.begin_object().field("type", "error").field("message", e.what()).end_object();
        const std::string msg = w.take();
        (void)::send(4, msg.data(), msg.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        return 2;
    }
}
