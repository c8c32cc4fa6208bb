// Glue between the vigild host and the web_threat parts: settings, the list
// set (loaded at start, swapped whole by web_threat.set_lists and
// web_threat.reload), commands and status. The logic lives in the
// web_threat_lists and web_threat_core libraries.
#include <atomic>
#include <mutex>
#include <vigil/common/args.hpp>
#include <vigil/common/time.hpp>
#include <vigil/agent.hpp>
#include <vigil/sdk.hpp>

#include "builtin_lists.hpp"
#include "command_args.hpp"
#include "host_name.hpp"
#include "interception.hpp"
#include "list_loader.hpp"
#include "mitm_ca.hpp"
#include "mitm_exclusions.hpp"
#include "settings.hpp"
#include "status.hpp"
#include "verdict.hpp"

namespace vigil::web_threat {
namespace {

constexpr uint32_t kStatusMs = 10000;

class WebThreatPlugin : public vigil::Plugin {
public:
    explicit WebThreatPlugin(vigil::Host& host)
        : Plugin(host),
          settings_(parse_settings(host.config_json())),
          trusted_(build_trusted(settings_.trusted_addresses)),
          central_(host.state_dir() + "/central_lists"),
          interception_(host, settings_),
          workers_(host, 1),
          status_(host, [this] { return build_status(); }) {
        interception_.on_change([this] { status_.publish(); });
        host.on_command("web_threat.check", [this](const vigil::Command& c, vigil::Reply r) {
            try {
                const Target t = parse_check(c.args_json);
                ++checks_;
                r.ok(verdict_json(judge(*lists_.get(), *trusted_, t, settings_.enabled()), t, settings_.block));
            } catch (const common::ArgError& e) {
                r.error(VIGIL_EINVAL, e.what());
            }
        });
        workers_.on("web_threat.set_lists", [this](const vigil::Command& c) {
            auto sent = parse_set_lists(c.args_json, uint64_t(settings_.max_central_lists_mb) << 20);
            return [this, sent = std::move(sent)](vigil::Job&) { return set_lists(sent); };
        });
        workers_.on("web_threat.reload", [this](const vigil::Command& c) {
            common::Args a(c.args_json);
            a.no_positionals("web_threat.reload");
            a.finish();
            return [this](vigil::Job&) { return reload(); };
        });
        host.on_command("web_threat.ca", [this](const vigil::Command& c, vigil::Reply r) { ca_command(c, r); });
    }

    ~WebThreatPlugin() override { stop(); }

    void start() override {
        (void)reload();
        if (settings_.mitm.enabled && settings_.intercept) load_ca();
        interception_.start();
        status_.start(kStatusMs);
    }

    void stop() override {
        workers_.stop();
        status_.stop();
        interception_.stop();
    }

private:
    // The agent's own endpoints, never decrypted: the central nodes of the
    // connector (kataedr pins their certificates) and the agent's proxy. Names
    // only: an address is never decrypted anyway (no SNI to mint for).
    std::vector<std::string> agent_endpoints() {
        std::vector<std::string> out;
        for (const auto& c : vigil::connector_status(host()))
            for (const auto& url : c.servers) out.push_back(host_of_url(url));
        try {
            if (const auto a = vigil::agent_settings(host()); a.proxy) out.push_back(a.proxy->host);
        } catch (const std::exception&) {
            // Agent settings the SDK cannot read name no proxy to exclude.
        }
        std::erase_if(out, [](const std::string& h) { return !valid_domain(canonical_host(h)); });
        return out;
    }

    // The scan's CA, made or loaded as root; without one the worker runs
    // without the scan and the log and `web_threat.ca` say why.
    void load_ca() {
        CaSource src{settings_.mitm.ca_cert_file, settings_.mitm.ca_key_file, host().state_dir()};
        bool made = false;
        try {
            CaPem pem = load_or_create_ca(src, made);
            const MitmCa ca = ca_from_pem(pem, "the CA");
            const std::string what = ca_fingerprint(ca.cert.get()) + ", " + std::to_string(seconds_left(ca.cert.get()) / 86400) + " days left";
            host().info(std::string("web_threat: encrypted connections scan with ") + (made ? "a new CA " : "the CA ") + what +
                        (made ? " (install it in the trust stores: vigilctl web_threat ca)" : ""));
            interception_.set_mitm_ca(pem.cert, pem.key, agent_endpoints());
            std::lock_guard<std::mutex> g(mu_);
            ca_pem_ = std::move(pem.cert);
        } catch (const std::exception& e) {
            host().error(std::string("web_threat: encrypted connections scan off: ") + e.what());
            std::lock_guard<std::mutex> g(mu_);
            ca_error_ = e.what();
        }
    }

    // The CA certificate (PEM, printed as it is by vigilctl) to install in
    // the clients' trust stores.
    void ca_command(const vigil::Command& c, vigil::Reply& r) {
        try {
            common::Args a(c.args_json);
            a.no_positionals("web_threat.ca");
            a.finish();
        } catch (const common::ArgError& e) {
            r.error(VIGIL_EINVAL, e.what());
            return;
        }
        std::lock_guard<std::mutex> g(mu_);
        JsonWriter w;
        w.str(ca_pem_);
        if (!ca_pem_.empty())
            r.ok(w.take());
        else if (!ca_error_.empty())
            r.error(VIGIL_EFAILED, "the encrypted connections scan has no CA: " + ca_error_);
        else
            r.error(VIGIL_EDISABLED, "the encrypted connections scan is off (mitm.enabled: false, or intercept: false)");
    }

    std::vector<ListSpec> kept_central() {
        try {
            return central_.kept();
        } catch (const std::exception& e) {
            host().error(std::string("web_threat: ") + e.what());
            return {};
        }
    }

    // Loads the list files and the kept central lists; failures of single
    // lists are reported, the rest is swapped in.
    vigil::JobResult reload() {
        LoadOutcome out = load_lists(settings_.lists, kept_central(), builtin_lists(settings_),
                                     uint64_t(settings_.max_list_mb) << 20, true);
        for (const auto& e : out.errors) host().error("web_threat: " + e);
        for (const auto& p : out.problems) host().warn("web_threat: skipped " + p);
        return vigil::JobResult::ok(adopt(std::move(out)));
    }

    vigil::JobResult set_lists(const std::vector<SentList>& sent) {
        LoadOutcome out;
        try {
            std::vector<SentList> with_builtin = builtin_lists(settings_);
            with_builtin.insert(with_builtin.end(), sent.begin(), sent.end());
            out = load_lists(settings_.lists, {}, with_builtin, uint64_t(settings_.max_list_mb) << 20, true);
        } catch (const std::exception& e) {
            return vigil::JobResult::failed(e.what(), VIGIL_EINVAL);
        }
        try {
            central_.replace(sent);
        } catch (const std::exception& e) {
            return vigil::JobResult::failed(std::string("could not keep the lists: ") + e.what());
        }
        host().info("web_threat: " + std::to_string(sent.size()) + " lists from the central node in effect");
        return vigil::JobResult::ok(adopt(std::move(out)));
    }

    // Swaps the new set in and returns its description.
    std::string adopt(LoadOutcome out) {
        interception_.set_lists(*out.set, *trusted_);
        lists_.set(out.set);
        {
            std::lock_guard<std::mutex> g(mu_);
            last_ = std::move(out);
            last_.set.reset();
            loaded_at_ns_ = common::realtime_ns();
        }
        status_.publish();
        JsonWriter w;
        w.begin_object();
        write_list_set(w, *lists_.get());
        w.end_object();
        return w.take();
    }

    std::string build_status() {
        StatusInput in;
        in.settings = &settings_;
        in.lists = lists_.get();
        in.trusted_entries = settings_.trusted_addresses.size();
        in.checks = checks_.load();
        in.interception_json = interception_.status_json();
        std::lock_guard<std::mutex> g(mu_);
        in.list_errors = last_.errors;
        in.problems = last_.problems;
        in.load_ms = last_.load_ms;
        in.loaded_at_ns = loaded_at_ns_;
        return status_json(in);
    }

    Settings settings_;
    std::shared_ptr<const ListSet> trusted_;
    CentralLists central_;
    Interception interception_;
    ListHolder lists_;
    std::atomic<uint64_t> checks_{0};
    std::mutex mu_;
    LoadOutcome last_;
    int64_t loaded_at_ns_ = 0;
    std::string ca_pem_, ca_error_;  // under mu_
    // Declared last: destroyed first, so no job or status build outlives the
    // members they read.
    vigil::CommandWorkers workers_;
    vigil::StatusReporter status_;
};

constexpr const char* kDescription = "Blocks malicious and phishing sites by domain, URL and IP lists";

}  // namespace
}  // namespace vigil::web_threat

VIGIL_PLUGIN(vigil::web_threat::WebThreatPlugin, "web_threat", "0.1.0", vigil::web_threat::kDescription, nullptr,
             vigil::web_threat::kSettingsSchema)
