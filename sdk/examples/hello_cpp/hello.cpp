// Example Vigil plugin in C++: counts process starts and answers a command.
// Builds out of tree against an installed SDK (see CMakeLists.txt here).
#include <vigil/sdk.hpp>

#include <atomic>
#include <string>

class HelloPlugin : public vigil::Plugin {
public:
    explicit HelloPlugin(vigil::Host& host) : Plugin(host), status_(host, [this] { return status_json(); }) {
        // The host validated the settings against kSchema and filled in its defaults.
        vigil::SettingsReader settings(host.config_json());
        greeting_ = settings.str("greeting");
        host.subscribe(VIGIL_TYPE_PROCESS_START, [this](const vigil::Message&) { ++seen_; });
        host.on_command("hello_cpp.greet", [this](const vigil::Command& cmd, vigil::Reply reply) {
            vigil::JsonWriter w;
            w.begin_object().field("greeting", greeting_);
            w.raw_field("args", cmd.args_json.empty() ? std::string_view("{}") : cmd.args_json);
            w.field("process_starts_seen", uint64_t(seen_.load())).end_object();
            reply.ok(w.take());
        });
    }
    void start() override {
        status_.start(10000);  // now, then every 10 s
        host().info("hello_cpp started");
    }
    void stop() override {
        status_.stop();
        host().info("hello_cpp stopped");
    }
    bool reconfigure() override { return false; }  // restart to apply new settings

private:
    std::string status_json() const {
        vigil::JsonWriter w;
        w.begin_object().field("greeting", greeting_).field("process_starts_seen", uint64_t(seen_.load())).end_object();
        return w.take();
    }

    std::string greeting_;
    std::atomic<uint64_t> seen_{0};
    vigil::StatusReporter status_;
};

static const char* kSchema = R"({
  "type": "object",
  "properties": {
    "greeting": { "type": "string", "maxLength": 64, "default": "hello",
                  "description": "What hello_cpp.greet answers." }
  },
  "additionalProperties": false
})";

VIGIL_PLUGIN(HelloPlugin, "hello_cpp", "1.0.0", "Example plugin written in C++", nullptr, kSchema, "Apache-2.0",
             nullptr)
