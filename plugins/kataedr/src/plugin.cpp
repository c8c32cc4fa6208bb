// kataedr, the connector to the central node: connects the agent to vigil-central.
// Glue only: settings, wiring of the bus to the pipeline/uploader/task runner,
// and the status shown by `vigilctl status`. The logic lives in src/.
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <vigil/sdk.hpp>
#include <vigil/common/atomic_file.hpp>
#include <vigil/common/small_file.hpp>

#include "agent_identity.hpp"
#include "connection_state.hpp"
#include "contact_check.hpp"
#include "detection_trees.hpp"
#include "exclusions.hpp"
#include "host_facts.hpp"
#include "host_status_summary.hpp"
#include "https_channel.hpp"
#include "ocsf_converter.hpp"
#include "rate_limiter.hpp"
#include "sequence_store.hpp"
#include "settings.hpp"
#include "spool.hpp"
#include "status.hpp"
#include "task_journal.hpp"
#include "task_runner.hpp"
#include "telemetry_pipeline.hpp"
#include "tls_material.hpp"
#include "uploader.hpp"

namespace vigil::kataedr {
namespace {

constexpr const char* kVersion = "1.0.0";

// The agent's proxy from the host's typed agent settings (ABI 1.3).
std::optional<ProxyUrl> agent_proxy(const vigil::Host& host) {
    auto p = vigil::agent_settings(host).proxy;
    if (!p) return std::nullopt;
    return ProxyUrl{p->host, p->port, p->username, p->password};
}

// The host provides the agent id; an older host may not, so keep our own.
std::string own_agent_id(const std::string& state_dir) {
    std::string path = state_dir + "/agent_id";
    if (auto text = vigil::common::read_small_file(path, {.max_bytes = 128})) {
        std::string id = *text;
        while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
        if (!id.empty()) return id;
    }
    std::random_device rd;
    std::mt19937_64 gen((uint64_t(rd()) << 32) ^ rd());
    uint64_t a = gen(), b = gen();
    a = (a & ~0xF000ull) | 0x4000ull;                         // version 4
    b = (b & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant 1
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx", (unsigned long long)(a >> 32),
                  (unsigned long long)((a >> 16) & 0xFFFF), (unsigned long long)(a & 0xFFFF),
                  (unsigned long long)(b >> 48), (unsigned long long)(b & 0xFFFFFFFFFFFFull));
    vigil::common::write_file_atomic(path, std::string(buf) + "\n");
    return buf;
}

class Kataedr : public vigil::Plugin {
public:
    explicit Kataedr(vigil::Host& host)
        : Plugin(host),
          settings_(parse_settings(host.config_json())),
          proxy_(agent_proxy(host)),
          tls_(TlsMaterial::load(settings_)),
          state_dir_(host.state_dir()),
          exclusions_(settings_.exclusions),
          limiter_(RateLimiter::Options{settings_.rate_limit_enabled, settings_.events_per_hour,
                                        settings_.type_threshold_percent, settings_.owner_share_percent}),
          trees_(uint64_t(settings_.detection_tree_protect_s) * 1000000000ull),
          spool_(state_dir_ + "/spool", uint64_t(settings_.spool_max_mb * 1024 * 1024)),
          seq_(state_dir_ + "/batch_seq"),
          journal_(state_dir_ + "/tasks") {
        seq_.ensure_above(spool_.newest_seq());
        auto id = host.identity();
        agent_id_ = id.agent_id.empty() ? own_agent_id(state_dir_) : id.agent_id;
        agent_version_ = id.agent_version.empty() ? kVersion : id.agent_version;
        facts_ = collect_host_facts();
        if (!id.hostname.empty()) facts_.hostname = id.hostname;

        auto channel = std::make_shared<ChannelConfig>();
        channel->servers = settings_.servers;
        channel->tls = tls_;
        channel->proxy = proxy_;
        channel->connect_timeout_s = settings_.connect_timeout_s;
        channel->request_timeout_s = settings_.request_timeout_s;
        channel->agent_id = agent_id_;
        auto log = [this](int level, const std::string& m) { this->host().log(vigil_log_level(level), m); };
        identity_ = std::make_shared<AgentIdentity>(
            AgentIdentity::Options{state_dir_ + "/identity/agent.pem", agent_id_, facts_.hostname,
                                   settings_.enrollment_token_file},
            log);
        identity_->load(int64_t(now_ns() / 1000000000ull));
        channel->identity = identity_;

        TelemetryPipeline::Options po;
        po.telemetry_enabled = settings_.telemetry_enabled;
        po.max_batch_events = settings_.max_batch_events;
        po.max_delay_ns = uint64_t(settings_.max_send_delay_s) * 1000000000ull;
        po.max_batch_bytes = settings_.max_batch_bytes;
        po.max_batch_compressed_bytes = settings_.max_batch_compressed_bytes;
        po.event_limits = EventLimits{settings_.max_string_bytes, settings_.max_event_bytes};
        pipeline_ = std::make_unique<TelemetryPipeline>(OcsfContext{agent_id_, facts_.hostname, agent_version_}, po,
                                                        &exclusions_, &limiter_, &seq_, &trees_);

        Uploader::Options uo;
        uo.agent_id = agent_id_;
        uo.sync_period_ns = uint64_t(settings_.sync_period_s) * 1000000000ull;
        uo.max_retry_ns = uint64_t(std::max<uint32_t>(settings_.max_send_delay_s, 1)) * 1000000000ull;
        uo.parallel_uploads = settings_.parallel_uploads;
        uploader_ = std::make_unique<Uploader>(
            uo, *pipeline_, spool_, channel, conn_, [this] { return sync_body(); }, log);

        TaskRunner::Options to;
        to.agent_id = agent_id_;
        to.poll_wait_s = settings_.task_poll_wait_s;
        to.default_timeout_s = settings_.task_timeout_s;
        to.max_retry_s = std::max<uint32_t>(1, std::min<uint32_t>(30, settings_.max_send_delay_s));
        to.policy = std::make_shared<const TaskPolicy>(make_task_policy(settings_));  // throws on a bad key file
        tasks_ = std::make_shared<TaskRunner>(
            to, channel, conn_, journal_,
            [this](const std::string& origin, const std::string& name, const std::string& args,
                   uint32_t timeout_ms, TaskRunner::Done done) {
                this->host().send_command(
                    name, args, timeout_ms,
                    [done](const vigil::CommandResult& r) {
                        done(r.status, std::string(r.result_json), std::string(r.error));
                    },
                    origin);
            },
            [this] { uploader_->request_sync(); }, log);

        contact_ = std::make_unique<ContactCheck>(channel, &conn_, [this] { return sync_body(); });
        host.on_command("kataedr.check_contact",
                        [this](const vigil::Command& c, vigil::Reply r) { check_contact(c, std::move(r)); });

        for (uint32_t type : {VIGIL_TYPE_PROCESS_START, VIGIL_TYPE_PROCESS_EXIT, VIGIL_TYPE_NETWORK,
                              VIGIL_TYPE_FILE, VIGIL_TYPE_THREAT, VIGIL_TYPE_ACTION_RESULT}) {
            host.subscribe(type, [this](const vigil::Message& m) { on_message(m); });
        }
    }

    ~Kataedr() override { stop(); }

    void start() override {
        stopped_ = false;
        contact_->start();
        uploader_->start();
        tasks_->start();
        status_timer_ = host().timer(1000, true, [this] { publish_status(); });
        publish_status();
        host().info("kataedr started: agent " + agent_id_ + ", servers " + servers_text() +
                    (proxy_ ? ", proxy " + proxy_->host + ":" + std::to_string(proxy_->port) : "") +
                    (tls_->pinned() ? ", pinned server certificate" : ", server CA") +
                    (settings_.mutual_auth ? ", shared client certificate " + tls_->client_subject() : "") +
                    (identity_->enrolled() ? ", enrolled (certificate " + identity_->credential()->serial + ")"
                                           : ", not enrolled yet"));
    }

    void stop() override {
        if (stopped_) return;
        stopped_ = true;
        if (status_timer_) host().cancel_timer(status_timer_);
        pipeline_->shutdown();
        tasks_->stop();
        uploader_->stop();
        contact_->stop();
        publish_status();
    }

private:
    // One authenticated exchange now (contract in README.md, "check_contact").
    void check_contact(const vigil::Command& c, vigil::Reply r) {
        uint32_t timeout_ms = 0;
        try {
            timeout_ms = parse_contact_args(std::string(c.args_json));
        } catch (const std::exception& e) {
            r.error(VIGIL_EINVAL, e.what());
            return;
        }
        contact_->run(timeout_ms, [r](const ContactResult& res) mutable {
            if (res.ok)
                r.ok(res.json());
            else
                r.error(VIGIL_EFAILED, res.kind + ": " + res.message, res.json());
        });
    }

    void on_message(const vigil::Message& m) {
        EventView ev{m.type(), m.payload(), m.payload_size(), m.timestamp_ns(), m.sequence(), m.source()};
        if (ev.time_ns == 0) ev.time_ns = now_ns();
        if (pipeline_->offer(ev, now_ns())) uploader_->wake();
    }

    std::string servers_text() const {
        std::string s;
        for (const auto& u : settings_.servers) s += (s.empty() ? "" : ", ") + u.text;
        return s;
    }

    std::string sync_body() {
        using vigil::json_escape;
        HostStatusSummary hs = summarize_host_status(host().host_status());
        auto list = [](const std::vector<std::string>& v) {
            std::string s = "[";
            for (size_t i = 0; i < v.size(); ++i) s += (i ? ",\"" : "\"") + json_escape(v[i]) + "\"";
            return s + "]";
        };
        return "{\"agent_id\":\"" + json_escape(agent_id_) + "\",\"hostname\":\"" +
               json_escape(facts_.hostname) + "\",\"os\":\"" + json_escape(facts_.os) + "\",\"kernel\":\"" +
               json_escape(facts_.kernel) + "\",\"agent_version\":\"" + json_escape(agent_version_) +
               "\",\"ips\":" + list(facts_.ips) + ",\"macs\":" + list(facts_.macs) +
               ",\"plugins\":" + hs.plugins_json + ",\"isolation\":" + hs.isolation_json +
               ",\"drops\":{\"bus\":" + std::to_string(hs.bus_drops) +
               ",\"spool\":" + std::to_string(spool_.dropped_events()) +
               ",\"rate_limit\":" + std::to_string(limiter_.dropped()) +
               ",\"sensor\":" + std::to_string(hs.sensor_drops) +
               "},\"spool\":{\"batches\":" + std::to_string(spool_.batches()) +
               ",\"bytes\":" + std::to_string(spool_.bytes()) + "},\"time_ns\":" + std::to_string(now_ns()) +
               "}";
    }

    void publish_status() {
        std::string s = status_json({settings_, agent_id_, proxy_, *tls_, *identity_, conn_, spool_,
                                     pipeline_->counters(), uploader_->counters(), tasks_->counters(),
                                     tasks_->queued_results(), trees_, limiter_, seq_.peek()});
        host().set_status(s);
        host().gauge_set("spool_batches", int64_t(spool_.batches()));
        host().gauge_set("connected", conn_.connected() ? 1 : 0);
    }

    Settings settings_;
    std::optional<ProxyUrl> proxy_;
    std::shared_ptr<const TlsMaterial> tls_;
    std::shared_ptr<AgentIdentity> identity_;
    std::string state_dir_;
    Exclusions exclusions_;
    RateLimiter limiter_;
    DetectionTrees trees_;
    Spool spool_;
    SequenceStore seq_;
    TaskJournal journal_;
    std::string agent_id_, agent_version_;
    HostFacts facts_;
    ConnectionState conn_;
    std::unique_ptr<TelemetryPipeline> pipeline_;
    std::unique_ptr<Uploader> uploader_;
    std::shared_ptr<TaskRunner> tasks_;
    std::unique_ptr<ContactCheck> contact_;
    uint64_t status_timer_ = 0;
    bool stopped_ = false;
};

}  // namespace
}  // namespace vigil::kataedr

VIGIL_PLUGIN(vigil::kataedr::Kataedr, "kataedr", "1.0.0",
             "Connector to the central node: telemetry up (OCSF, batched, gzip, spooled), tasks down, over "
             "pinned HTTPS with optional mTLS and proxy",
             "behavior", vigil::kataedr::kConfigSchema,
             "Apache-2.0", nullptr)
