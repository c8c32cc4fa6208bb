// Glue between the vigild host and the isolation controller: commands,
// timers, events and status. The logic lives in the isolation_core library.
#include <memory>
#include <vigil/sdk.hpp>

#include "contact.hpp"
#include "controller.hpp"
#include "json_input.hpp"
#include "settings.hpp"

namespace vigil::isolation {
namespace {

class IsolationPlugin : public vigil::Plugin {
public:
    explicit IsolationPlugin(vigil::Host& host)
        : Plugin(host),
          settings_(parse_settings(host.config_json())),
          store_(host.state_dir() + "/isolation.json") {
        ControllerEnv env;
        env.publish = [this](const ActionEvent& ev) { publish(ev); };
        env.set_status = [this](const std::string& s) { this->host().set_status(s); };
        env.log = [this](int level, const std::string& m) { this->host().log(vigil_log_level(level), m); };
        const std::string contact_plugin = settings_.contact_plugin;
        env.connector_contact_ms = [this, contact_plugin] {
            return last_contact_ms(this->host().host_status(), contact_plugin);
        };
        env.check_contact = [this](uint64_t epoch, int64_t timeout_ms) { check_contact(epoch, timeout_ms); };
        env.proxy = parse_agent_proxy(host.agent_config_json());
        controller_ = std::make_unique<Controller>(settings_, std::move(env), nft_, store_);

        host.on_command("isolation.on", [this](const vigil::Command& c, vigil::Reply r) {
            run_command(r, [&] { return controller_->on(c.args_json, origin_of(c), c.correlation_id); });
        });
        host.on_command("isolation.off", [this](const vigil::Command& c, vigil::Reply r) {
            run_command(r, [&] { return controller_->off(c.args_json, origin_of(c), c.correlation_id); });
        });
        host.on_command("isolation.status", [this](const vigil::Command&, vigil::Reply r) {
            run_command(r, [&] { return controller_->status(); });
        });
    }

    void start() override {
        // Reconcile on the executor so it never races a command.
        host().post([this] { controller_->reconcile(); });
        timer_ = host().timer(uint32_t(settings_.check_interval_ms), true, [this] { controller_->tick(); });
    }

    // The rules stay in the kernel: stopping the agent never releases.
    void stop() override {
        if (timer_) host().cancel_timer(timer_);
        timer_ = 0;
    }

private:
    static std::string origin_of(const vigil::Command& c) {
        return c.origin.empty() ? std::string("unknown") : std::string(c.origin);
    }

    template <class F>
    void run_command(vigil::Reply& r, F&& f) {
        try {
            r.ok(f());
        } catch (const ValidationError& e) {
            r.error(VIGIL_EINVAL, e.what());
        } catch (const std::exception& e) {
            r.error(VIGIL_EFAILED, e.what());
        }
    }

    void publish(const ActionEvent& ev) {
        vigil::PayloadBuilder<vigil_action_result> b;
        b.head().status = ev.ok ? VIGIL_OK : VIGIL_EFAILED;
        b.head().correlation_id = ev.correlation_id;
        b.set(&vigil_action_result::action, ev.action);
        b.set(&vigil_action_result::object, "network (nft table inet " + settings_.table + ")");
        std::string details = "{\"reason\":\"" + vigil::json_escape(ev.reason) +
                              "\",\"status\":" + (ev.details_json.empty() ? "null" : ev.details_json) + "}";
        b.set(&vigil_action_result::details_json, details);
        b.set(&vigil_action_result::error, ev.error);
        b.set(&vigil_action_result::origin, ev.origin);
        host().publish(VIGIL_TYPE_ACTION_RESULT, b, ev.correlation_id);
        host().counter_add("actions_" + ev.action);
    }

    // The self-test's authenticated exchange, asked of the connector plugin.
    void check_contact(uint64_t epoch, int64_t timeout_ms) {
        const std::string cmd = settings_.contact_plugin + ".check_contact";
        try {
            // A little longer than the exchange, so the connector's own answer wins.
            host().send_command(cmd, "{\"timeout_ms\":" + std::to_string(timeout_ms) + "}",
                                uint32_t(timeout_ms + 2000), [this, epoch](const vigil::CommandResult& r) {
                                    controller_->contact_reply(epoch, ContactReply{r.status, std::string(r.result_json),
                                                                                   std::string(r.error)});
                                });
        } catch (const std::exception& e) {
            host().post([this, epoch, msg = std::string(e.what())] {
                controller_->contact_reply(epoch, ContactReply{VIGIL_ENOTFOUND, "", msg});
            });
        }
    }

    Settings settings_;
    common::nft::Runner nft_;
    StateStore store_;
    std::unique_ptr<Controller> controller_;
    uint64_t timer_ = 0;
};

}  // namespace
}  // namespace vigil::isolation

VIGIL_PLUGIN(vigil::isolation::IsolationPlugin, "isolation", "1.0.0",
             "Network isolation with nftables that survives the agent and keeps the central nodes reachable",
             nullptr, vigil::isolation::kSettingsSchema,
             "Apache-2.0", nullptr)
