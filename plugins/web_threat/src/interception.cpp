#include "interception.hpp"

#include <dlfcn.h>
#include <pwd.h>
#include <unistd.h>

#include <charconv>
#include <vigil/common/errno_text.hpp>
#include <vigil/common/small_file.hpp>
#include <vigil/common/time.hpp>
#include <vigil/common/trusted_path.hpp>
#include <vigil/json_writer.hpp>

#include "redirect_rules.hpp"
#include "list_snapshot.hpp"
#include "static_rules.hpp"
#include "worker_control.hpp"
#include "worker_config.hpp"

namespace vigil::web_threat {

std::optional<WorkerUser> resolve_worker_user(const std::string& user, std::string& why) {
    WorkerUser u;
    unsigned long n = 0;
    auto r = std::from_chars(user.data(), user.data() + user.size(), n);
    if (r.ec == std::errc() && r.ptr == user.data() + user.size()) {
        u.uid = uid_t(n);
        u.gid = gid_t(n);
    } else {
        passwd pw{}, *found = nullptr;
        std::string buf(16384, '\0');
        if (getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found) {
            why = "worker_user '" + user + "' does not exist (create a dedicated system user or give a numeric uid)";
            return std::nullopt;
        }
        u.uid = found->pw_uid;
        u.gid = found->pw_gid;
    }
    if (u.uid == 0 || n > 0xfffffffeul) {
        why = "worker_user '" + user + "' must not be root";
        return std::nullopt;
    }
    return u;
}

std::string default_worker_path() {
    Dl_info info{};
    if (!dladdr(reinterpret_cast<void*>(&default_worker_path), &info) || !info.dli_fname) return {};
    std::string so = info.dli_fname;
    const size_t slash = so.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : so.substr(0, slash);
    return dir + "/../libexec/vigil-web-worker";
}

Interception::Interception(const Host& host, const Settings& settings)
    : host_(host), settings_(settings), next_threat_id_(uint64_t(common::realtime_ns() / 1000)) {}

Interception::~Interception() { stop(); }

void Interception::fail(const std::string& why) {
    host_.error("web_threat: interception off: " + why);
    {
        std::lock_guard<std::mutex> g(mu_);
        error_ = why;
    }
    changed(true);
}

void Interception::changed(bool now) {
    const int64_t t = common::monotonic_ns(), last = last_change_ns_.load();
    if (!changed_ || (!now && t - last < 1000000000)) return;
    last_change_ns_.store(t);
    changed_();
}

std::string Interception::static_table_text() const {
    std::lock_guard<std::mutex> g(mu_);
    return common::nft::delete_table_text("inet", kStaticTable) +
           static_ruleset({settings_.reject_quic, settings_.reject_dot, !settings_.block}) +
           set_elements_text(blocked_ips_, trusted_ips_);
}

// The static table first: listed addresses are refused even when the worker
// cannot run.
bool Interception::set_up_tables() {
    try {
        nft_ = std::make_unique<common::nft::Runner>();
    } catch (const std::exception& e) {
        fail(std::string("nftables: ") + e.what());
        return false;
    }
    const auto r = nft_->run(static_table_text());
    if (!r.ok) fail("nftables: " + r.error);
    return r.ok;
}

bool Interception::set_up_closed_redirect() {
    const bool dns = settings_.dns && !dns_upstreams_.empty();
    RedirectPlan plan{user_.uid, settings_.listen_port, uint16_t(dns ? settings_.dns_port : 0), settings_.ports,
                      false};
    {
        std::lock_guard<std::mutex> g(mu_);
        plan.trusted = trusted_ips_;
    }
    const auto r = nft_->run(common::nft::delete_table_text("inet", kRedirectTable) + redirect_ruleset(plan));
    if (!r.ok) fail("nftables: " + r.error);
    return r.ok;
}

void Interception::send_snapshot(const ListSet& blocked) {
    if (!worker_) return;
    const uint64_t generation = lists_generation_.fetch_add(1) + 1;
    const int fd = snapshot_memfd(write_list_snapshot(blocked));
    if (fd < 0) return host_.error("web_threat: no snapshot of the lists for the worker: " + common::errno_text(errno));
    if (!worker_->send(lists_message(generation), fd))
        host_.warn("web_threat: the worker did not take the new lists now (not running); it loads them when it starts");
    ::close(fd);
}

void Interception::set_lists(const ListSet& blocked, const ListSet& trusted) {
    send_snapshot(blocked);
    auto b = blocked.ip_prefixes(settings_.enabled());
    auto t = trusted.ip_prefixes(kAllCategories);
    const std::string text = set_elements_text(b, t);
    {
        std::lock_guard<std::mutex> g(mu_);
        blocked_ips_ = std::move(b);
        trusted_ips_ = std::move(t);
    }
    if (!nft_) return;
    const auto r = nft_->run(text);
    if (!r.ok) host_.error("web_threat: the address sets were not updated: " + r.error);
}

void Interception::start() {
    if (!settings_.intercept || !set_up_tables()) return;
    std::string why;
    const auto user = resolve_worker_user(settings_.worker_user, why);
    if (!user) return fail(why);
    user_ = *user;
    worker_path_ = settings_.worker_path.empty() ? default_worker_path() : settings_.worker_path;
    try {
        const std::string warning = common::require_trusted_path(worker_path_, "web_threat worker", common::PathKind::file);
        if (!warning.empty()) host_.warn(warning);
    } catch (const std::exception& e) {
        return fail(e.what());
    }
    dns_upstreams_ = settings_.dns_upstreams;
    if (dns_upstreams_.empty()) dns_upstreams_ = resolv_conf_upstreams(common::read_file_or_empty("/etc/resolv.conf"));
    if (settings_.dns && dns_upstreams_.empty())
        host_.warn("web_threat: no non-loopback resolver in /etc/resolv.conf and no dns_upstreams: DNS is not filtered");
    if (settings_.fail_closed && !set_up_closed_redirect()) return;
    WorkerConfig c;
    c.settings_json = host_.config_json();
    c.state_dir = host_.state_dir();
    c.uid = user_.uid;
    c.gid = user_.gid;
    c.parent_pid = ::getpid();
    c.dns_upstreams = dns_upstreams_;
    c.mitm_ca_cert = mitm_ca_cert_;
    c.mitm_ca_key = mitm_ca_key_;
    c.mitm_exclusions = mitm_exclusions_;
    c.agent_id = host_.identity().agent_id;
    WorkerSupervisor::Callbacks cb;
    cb.report = [this](const std::string& json) {
        if (mitm_notes_.handle(host_, json) || dns_notes_.handle(host_, json)) return changed(false);
        // Finding the process scans /proc: at most 20 a second.
        const int64_t now = common::monotonic_ns();
        const bool find = now - lookup_window_ns_ >= 1000000000 ? (lookup_window_ns_ = now, lookups_ = 1, true)
                                                                 : ++lookups_ <= 20;
        publish_verdict(host_, json, next_threat_id_, counters_, find);
        changed(false);
    };
    cb.ready = [this](const WorkerState& s) {
        host_.info("web_threat: worker " + std::to_string(s.pid) + " intercepting");
        if (s.starts > 1) publish_worker_health(host_, true, "worker started again after " + s.last_exit);
        changed(true);
    };
    cb.down = [this](const WorkerState& s) {
        const std::string what = "worker " + s.last_exit + (s.last_error.empty() ? "" : " (" + s.last_error + ")") +
                                (settings_.fail_closed ? "; monitored connections are refused until it is back"
                                                       : "; traffic flows uninspected until it is back");
        host_.error("web_threat: " + what);
        publish_worker_health(host_, false, what);
        changed(true);
    };
    cb.lists = [this](const WorkerState& s) {
        if (!s.lists_error.empty()) host_.error("web_threat: the worker refused the new lists: " + s.lists_error);
        changed(true);
    };
    worker_ = std::make_unique<WorkerSupervisor>(worker_path_, worker_config_json(c), std::move(cb));
    worker_->start();
}

void Interception::stop() {
    if (worker_) worker_->stop();
    worker_.reset();
    if (nft_) {
        nft_->delete_table("inet", kRedirectTable);
        nft_->delete_table("inet", kStaticTable);
    }
    nft_.reset();
}

uint64_t Interception::nft_counter(const char* name) const {
    if (!nft_) return 0;
    const auto r = nft_->run(std::string("list counter inet ") + kStaticTable + " " + name);
    const size_t at = r.ok ? r.output.find("packets ") : std::string::npos;
    if (at == std::string::npos) return 0;
    uint64_t n = 0;
    std::from_chars(r.output.data() + at + 8, r.output.data() + r.output.size(), n);
    return n;
}

std::string Interception::status_json() const {
    JsonWriter w;
    w.begin_object().field("enabled", settings_.intercept);
    {
        std::lock_guard<std::mutex> g(mu_);
        w.field("error", error_);
    }
    if (worker_) {
        const WorkerState s = worker_->state();
        w.field("worker", phase_name(s.phase))
            .field("pid", int64_t(s.pid))
            .field("starts", s.starts)
            .field("last_exit", s.last_exit)
            .field("last_error", s.last_error)
            .field("lists_generation", lists_generation_.load())
            .field("worker_lists_generation", s.lists_generation)
            .field("lists_error", s.lists_error);
    }
    w.field("fail_mode", settings_.fail_closed ? "closed" : "open").field("worker_uid", uint64_t(user_.uid));
    w.key("dns_upstreams").begin_array();
    for (const auto& u : dns_upstreams_) w.str(u);
    w.end_array();
    {
        std::lock_guard<std::mutex> g(mu_);
        w.field("blocked_addresses", uint64_t(blocked_ips_.size())).field("trusted_addresses", uint64_t(trusted_ips_.size()));
    }
    w.field("ip_refused_packets", nft_counter("ip_refused")).field("ip_notified_packets", nft_counter("ip_notified"));
    w.field("blocked", counters_.blocked.load())
        .field("notified", counters_.notified.load())
        .field("trusted", counters_.trusted.load())
        .field("refused", counters_.refused.load())
        .field("reports_dropped", counters_.reports_dropped.load());
    mitm_notes_.write_status(w, !mitm_ca_cert_.empty());
    dns_notes_.write_status(w);
    w.end_object();
    return w.take();
}

}  // namespace vigil::web_threat
