// Test plugin with controllable misbehaviour, for lifecycle and bus tests.
// Settings: {"fail_create": bool, "throw_create": bool, "fail_start": bool,
//            "stop_delay_ms": N, "requires_nothing": bool}
// Commands: test_behaviors.echo (replies with its args), .sleep {"ms":N}
// (replies after N ms, blocking its executor), .noreply (never replies),
// .twice (replies twice: the second must be refused), .async {"ms":N}
// (replies from another thread after N ms), .stall_bus (its own subscriber
// callback blocks until .unstall or stop: a stalled bus for the watchdog), .heartbeat
// {"component":C,"age_ms":N} (sets gauge watchdog.C to now - N ms on
// CLOCK_MONOTONIC; age_ms -1 sets 0 = inactive), .set_status {"status":{...}}.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <time.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <vigil/sdk.hpp>

namespace {

class TestBehaviors : public vigil::Plugin {
public:
    explicit TestBehaviors(vigil::Host& host) : Plugin(host) {
        cfg_.Parse(host.config_json().c_str());
        if (flag("throw_create")) throw std::runtime_error("test_behaviors: asked to throw in create");
        if (flag("fail_create")) throw std::runtime_error("test_behaviors: asked to fail in create");
        host.on_command("test_behaviors.echo", [](const vigil::Command& c, vigil::Reply r) {
            r.ok(c.args_json.empty() ? "{}" : c.args_json);
        });
        host.on_command("test_behaviors.sleep", [](const vigil::Command& c, vigil::Reply r) {
            rapidjson::Document d;
            d.Parse(c.args_json.data(), c.args_json.size());
            int ms = !d.HasParseError() && d.IsObject() && d.HasMember("ms") && d["ms"].IsInt() ? d["ms"].GetInt() : 0;
            std::this_thread::sleep_for(std::chrono::milliseconds(ms));
            r.ok("{\"slept_ms\":" + std::to_string(ms) + "}");
        });
        host.on_command("test_behaviors.noreply", [](const vigil::Command&, vigil::Reply) {});
        host.on_command("test_behaviors.twice", [this](const vigil::Command& c, vigil::Reply r) {
            r.ok("{\"n\":1}");
            // Bypass the SDK's once-guard to exercise the bus's own.
            vigil_status st = this->host().api()->reply(this->host().handle(), c.correlation_id, VIGIL_OK, "{}", 2,
                                                        nullptr, 0);
            second_reply_status_ = st;
        });
        host.on_command("test_behaviors.second_reply_status", [this](const vigil::Command&, vigil::Reply r) {
            r.ok("{\"status\":" + std::to_string(second_reply_status_) + "}");
        });
        host.on_command("test_behaviors.async", [this](const vigil::Command& c, vigil::Reply r) {
            rapidjson::Document d;
            d.Parse(c.args_json.data(), c.args_json.size());
            int ms = !d.HasParseError() && d.IsObject() && d.HasMember("ms") && d["ms"].IsInt() ? d["ms"].GetInt() : 0;
            workers_.emplace_back([r, ms]() mutable {
                std::this_thread::sleep_for(std::chrono::milliseconds(ms));
                r.ok("{\"async\":true}");
            });
        });
        register_watchdog_commands(host);
    }
    ~TestBehaviors() override {
        for (auto& t : workers_)
            if (t.joinable()) t.join();
    }
    void start() override {
        if (flag("fail_start")) throw std::runtime_error("test_behaviors: asked to fail in start");
    }
    void stop() override {
        {
            std::lock_guard<std::mutex> g(stall_mu_);
            stopping_ = true;
        }
        stall_cv_.notify_all();
        int ms = cfg_.IsObject() && cfg_.HasMember("stop_delay_ms") && cfg_["stop_delay_ms"].IsInt()
                     ? cfg_["stop_delay_ms"].GetInt()
                     : 0;
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
    bool reconfigure() override {
        cfg_.Parse(host().config_json().c_str());
        host().set_status(host().config_json());
        return true;
    }

private:
    static int64_t arg_int(const vigil::Command& c, const char* k, int64_t def) {
        rapidjson::Document d;
        d.Parse(c.args_json.data(), c.args_json.size());
        return !d.HasParseError() && d.IsObject() && d.HasMember(k) && d[k].IsInt64() ? d[k].GetInt64() : def;
    }
    void register_watchdog_commands(vigil::Host& host) {
        host.on_command("test_behaviors.stall_bus", [this](const vigil::Command&, vigil::Reply r) {
            uint32_t type = this->host().register_type("test_behaviors.stall");
            {
                std::lock_guard<std::mutex> g(stall_mu_);
                unstalled_ = false;
            }
            this->host().subscribe(type, [this](const vigil::Message&) {
                std::unique_lock<std::mutex> lk(stall_mu_);
                stall_cv_.wait(lk, [this] { return stopping_ || unstalled_; });
            });
            char one = 1;
            this->host().publish(type, &one, 1);
            r.ok("{\"stalled\":true}");
        });
        host.on_command("test_behaviors.unstall", [this](const vigil::Command&, vigil::Reply r) {
            {
                std::lock_guard<std::mutex> g(stall_mu_);
                unstalled_ = true;
            }
            stall_cv_.notify_all();
            r.ok("{}");
        });
        host.on_command("test_behaviors.heartbeat", [this](const vigil::Command& c, vigil::Reply r) {
            rapidjson::Document d;
            d.Parse(c.args_json.data(), c.args_json.size());
            std::string comp = !d.HasParseError() && d.IsObject() && d.HasMember("component") && d["component"].IsString()
                                   ? d["component"].GetString()
                                   : "test";
            int64_t age = arg_int(c, "age_ms", 0);
            timespec ts{};
            clock_gettime(CLOCK_MONOTONIC, &ts);
            int64_t now = int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
            this->host().gauge_set("watchdog." + comp, age < 0 ? 0 : now - age);
            r.ok("{}");
        });
        host.on_command("test_behaviors.set_status", [this](const vigil::Command& c, vigil::Reply r) {
            rapidjson::Document d;
            d.Parse(c.args_json.data(), c.args_json.size());
            if (d.HasParseError() || !d.IsObject() || !d.HasMember("status") || !d["status"].IsObject()) {
                r.error(VIGIL_EINVAL, "needs {\"status\": {...}}");
                return;
            }
            rapidjson::StringBuffer sb;
            rapidjson::Writer<rapidjson::StringBuffer> w(sb);
            d["status"].Accept(w);
            this->host().set_status(sb.GetString());
            r.ok("{}");
        });
    }
    bool flag(const char* k) const { return cfg_.IsObject() && cfg_.HasMember(k) && cfg_[k].IsBool() && cfg_[k].GetBool(); }
    rapidjson::Document cfg_;
    std::vector<std::thread> workers_;
    int second_reply_status_ = 1;
    std::mutex stall_mu_;
    std::condition_variable stall_cv_;
    bool stopping_ = false;
    bool unstalled_ = false;
};

const char* kSchema = R"({
  "type": "object",
  "properties": {
    "fail_create": {"type": "boolean"}, "throw_create": {"type": "boolean"},
    "fail_start": {"type": "boolean"}, "stop_delay_ms": {"type": "integer", "minimum": 0, "maximum": 600000},
    "mode": {"enum": ["notify", "block"]}
  },
  "additionalProperties": false
})";

}  // namespace

VIGIL_PLUGIN(TestBehaviors, "test_behaviors", "1.0.0", "Controllable misbehaviour (tests only)", nullptr, kSchema,
             "Apache-2.0", nullptr)
