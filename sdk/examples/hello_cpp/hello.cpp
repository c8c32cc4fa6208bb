// Example Vigil plugin in C++: counts process starts and answers a command.
// Builds out of tree against an installed SDK (see CMakeLists.txt here).
#include <vigil/sdk.hpp>

#include <atomic>
#include <string>

class HelloPlugin : public vigil::Plugin {
public:
    explicit HelloPlugin(vigil::Host& host) : Plugin(host) {
        greeting_ = "hello";
        const std::string cfg = host.config_json();
        // A real plugin parses its JSON settings with a JSON library; the
        // schema below guarantees "greeting" is a string when present.
        if (auto pos = cfg.find("\"greeting\":\""); pos != std::string::npos) {
            auto start = pos + 12;
            greeting_ = cfg.substr(start, cfg.find('"', start) - start);
        }
        host.subscribe(VIGIL_TYPE_PROCESS_START, [this](const vigil::Message&) { ++seen_; });
        host.on_command("hello_cpp.greet", [this](const vigil::Command& cmd, vigil::Reply reply) {
            reply.ok("{\"greeting\":\"" + vigil::json_escape(greeting_) + "\",\"args\":" +
                     std::string(cmd.args_json.empty() ? "{}" : cmd.args_json) +
                     ",\"process_starts_seen\":" + std::to_string(seen_.load()) + "}");
        });
    }
    void start() override {
        host().set_status("{\"greeting\":\"" + vigil::json_escape(greeting_) + "\"}");
        host().info("hello_cpp started");
    }
    void stop() override { host().info("hello_cpp stopped"); }
    bool reconfigure() override { return false; }  // restart to apply new settings

private:
    std::string greeting_;
    std::atomic<uint64_t> seen_{0};
};

static const char* kSchema = R"({
  "type": "object",
  "properties": { "greeting": { "type": "string", "maxLength": 64 } },
  "additionalProperties": false
})";

VIGIL_PLUGIN(HelloPlugin, "hello_cpp", "1.0.0", "Example plugin written in C++", nullptr, kSchema)
