// Agent metrics: plugin status metrics are validated and rendered, detections
// create series only when a rule fires, and the whole exposition parses with
// an independent strict parser and carries the documented host families.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <iterator>
#include <thread>

#include <vigil/common/status_metrics.hpp>
#include <vigil/sdk.hpp>

#include "agent_metrics.hpp"
#include "json_util.hpp"
#include "metrics_http.hpp"
#include "metrics_textfile.hpp"
#include "status_metrics_import.hpp"
#include "vigil/testing/prom_parser.hpp"
#include "vigil/testing/temp_dir.hpp"

using namespace vigil::core;
namespace prom = vigil::common::prom;

namespace {
const std::string kDir = std::string(VIGIL_BINARY_DIR) + "/test-plugins";

MetricsImportResult import_json(const std::string& json, prom::Exposition& out, const std::string& plugin = "p") {
    auto d = parse_json(json);
    REQUIRE(d);
    return import_status_metrics(plugin, *d, out, [](std::string_view n) { return n == "vigil_plugin_state"; });
}

struct Agent {
    Bus bus;
    QuarantineStore quarantine{"/tmp/vigil-unit-q"};
    HostContext ctx;
    std::unique_ptr<PluginManager> mgr;
    std::unique_ptr<DetectionMetrics> detections;
    std::unique_ptr<AgentMetrics> metrics;
    Agent() {
        ctx.bus = &bus;
        ctx.quarantine = &quarantine;
        ctx.state_dir = "/tmp/vigil-unit-state";
        mgr = std::make_unique<PluginManager>(ctx);
        detections = std::make_unique<DetectionMetrics>(bus);
        AgentMetrics::Sources s;
        s.version = "9.9.9";
        s.abi = "1.2";
        s.bus = &bus;
        s.plugins = mgr.get();
        s.detections = detections.get();
        metrics = std::make_unique<AgentMetrics>(s);
        auto r = parse_config_text("agent:\n  plugin_dir: " + kDir +
                                       "\n  state_dir: /tmp/vigil-unit-state\n  control_socket: /tmp/x.sock\n"
                                       "plugins:\n  test_source: {enabled: true}\n  test_behaviors: {enabled: true}\n"
                                       "  needs_parent: {enabled: false}\n",
                                   "cfg.yaml");
        REQUIRE(r.config);
        mgr->apply(*r.config, plan_plugins(*r.config));
    }
    ~Agent() { mgr->stop_all(); }
    std::string call(const std::string& name, const std::string& args) {
        Publisher pub("test");
        auto pr = std::make_shared<std::promise<std::string>>();
        auto f = pr->get_future();
        bus.send_command(pub, name, args, 5000, "test", [pr](const MessageRef& r) {
            auto v = vigil::view<vigil_command_result>(r->payload, r->payload_size);
            pr->set_value(std::string(v->status == VIGIL_OK ? "ok" : v.str(v->error)));
        });
        return f.get();
    }
};
}  // namespace

TEST_CASE("StatusMetrics built by a plugin round-trips through the host's import into valid exposition") {
    vigil::common::Histogram h({0.001, 0.01, 0.1});
    h.observe(0.0005);
    h.observe(0.005);
    h.observe(0.5);
    vigil::common::StatusMetrics m;
    m.counter("vigil_sensor_events_lost_total", "Events lost", {{"reason", "ring \"buffer\"\nfull"}}, 3)
        .counter("vigil_sensor_events_lost_total", "Events lost", {{"reason", "queue"}}, 0)
        .gauge("vigil_isolation_active", "Isolation", {}, 1)
        .histogram("vigil_x_duration_seconds", "Latency", {{"kind", "exec"}}, h);
    prom::Exposition out;
    auto r = import_json(m.json(), out, "behavior");
    CHECK(r.rejected == 0);
    CHECK(r.accepted == 4);
    auto parsed = vigil::testing::parse_prometheus_text(out.render());
    INFO(out.render());
    REQUIRE(parsed.ok());
    CHECK(parsed.value("vigil_sensor_events_lost_total", {{"plugin", "behavior"}, {"reason", "ring \"buffer\"\nfull"}}) == 3);
    CHECK(parsed.value("vigil_isolation_active", {{"plugin", "behavior"}}) == 1);
    CHECK(parsed.value("vigil_x_duration_seconds_bucket", {{"plugin", "behavior"}, {"kind", "exec"}, {"le", "0.01"}}) == 2);
    CHECK(parsed.value("vigil_x_duration_seconds_count", {{"plugin", "behavior"}, {"kind", "exec"}}) == 3);
    CHECK(parsed.families.at("vigil_x_duration_seconds").type == "histogram");
}

TEST_CASE("the host refuses malformed or hostile plugin metrics and keeps the rest") {
    prom::Exposition out;
    auto r = import_json(R"([
      {"name":"vigil_ok_total","type":"counter","help":"fine","samples":[{"labels":{"a":"b"},"value":1}]},
      {"name":"node_cpu_seconds_total","type":"counter","samples":[{"value":1}]},
      {"name":"vigil_no_suffix","type":"counter","samples":[{"value":1}]},
      {"name":"vigil_plugin_state","type":"gauge","samples":[{"value":1}]},
      {"name":"vigil_g","type":"gauge","samples":[{"labels":{"plugin":"other"},"value":1},
                                                 {"labels":{"le":"1"},"value":1},
                                                 {"labels":{"__x":"1"},"value":1},
                                                 {"labels":{"n":1},"value":1},
                                                 {"value":"NaN"},
                                                 {"labels":{"k":"v"},"value":2},
                                                 {"labels":{"k":"v"},"value":3}]},
      {"name":"vigil_neg_total","type":"counter","samples":[{"value":-1}]},
      {"name":"vigil_h","type":"histogram","samples":[{"buckets":[[1,5],[0.5,6]],"sum":1,"count":6},
                                                     {"labels":{"x":"1"},"buckets":[[1,5]],"sum":1,"count":4}]},
      {"name":"vigil_t","type":"summary","samples":[]}
    ])", out);
    CHECK(r.accepted == 2);  // vigil_ok_total and the first vigil_g{k="v"}
    CHECK(r.rejected == 13);
    CHECK_FALSE(r.first_error.empty());
    auto parsed = vigil::testing::parse_prometheus_text(out.render());
    REQUIRE(parsed.ok());
    CHECK(parsed.value("vigil_g", {{"plugin", "p"}, {"k", "v"}}) == 2);
    CHECK_FALSE(parsed.has("node_cpu_seconds_total"));

    // Too many samples from one plugin: the rest is dropped.
    std::string many = R"([{"name":"vigil_many","type":"gauge","samples":[)";
    for (int i = 0; i < 1500; ++i) many += std::string(i ? "," : "") + R"({"labels":{"i":")" + std::to_string(i) + R"("},"value":1})";
    prom::Exposition out2;
    auto r2 = import_json(many + "]}]", out2);
    CHECK(r2.accepted == 1000);
    CHECK(r2.rejected == 500);

    // Another plugin cannot change a family's type.
    auto r3 = import_json(R"([{"name":"vigil_ok_total","type":"gauge","samples":[{"value":1}]}])", out, "q");
    CHECK(r3.rejected == 1);
    CHECK(import_json(R"({"not":"an array"})", out).rejected == 1);
}

TEST_CASE("agent exposition: host families, plugin metrics, detections only after a rule fired") {
    Agent a;
    auto first = vigil::testing::parse_prometheus_text(a.metrics->render());
    INFO(a.metrics->render());
    REQUIRE(first.ok());
    for (const char* fam : {"vigil_build_info", "vigil_plugin_state", "vigil_plugin_info", "vigil_bus_published_total",
                            "vigil_bus_delivered_total", "vigil_bus_dropped_total", "vigil_bus_queue_depth",
                            "vigil_bus_queue_capacity", "vigil_bus_commands_total", "process_cpu_seconds_total",
                            "process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds"})
        CHECK_MESSAGE(first.has(fam), fam);
    CHECK(first.value("vigil_build_info", {{"version", "9.9.9"}, {"abi", "1.2"}}) == 1);
    CHECK(first.value("vigil_plugin_state", {{"plugin", "test_source"}, {"state", "running"}}) == 1);
    CHECK(first.value("vigil_plugin_state", {{"plugin", "needs_parent"}, {"state", "disabled"}}) == 1);
    CHECK(first.value("vigil_plugin_state", {{"plugin", "needs_parent"}, {"state", "running"}}) == 0);
    CHECK_FALSE(first.has("vigil_detections_total"));

    CHECK(a.call("test_source.emit", R"({"type":"threat","count":3,"marker":"m"})") == "ok");
    CHECK(a.call("test_source.emit", R"({"type":"action_result","count":2,"marker":"m"})") == "ok");
    CHECK(a.call("test_behaviors.set_status",
                 R"({"status":{"metrics":[{"name":"vigil_test_things_total","type":"counter","help":"t",
                     "samples":[{"labels":{"kind":"a"},"value":7}]}]}})") == "ok");
    CHECK(a.call("test_behaviors.heartbeat", R"({"component":"responder","age_ms":1500})") == "ok");
    std::string text;
    for (int i = 0; i < 50; ++i) {  // the threats travel through the detection subscriber's queue
        text = a.metrics->render();
        if (text.find("vigil_detections_total{") != std::string::npos &&
            text.find("vigil_actions_total{") != std::string::npos)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    auto after = vigil::testing::parse_prometheus_text(text);
    INFO(text);
    REQUIRE(after.ok());
    CHECK(after.value("vigil_detections_total",
                      {{"plugin", "test_source"}, {"detector", "test"}, {"rule", "test-rule"}, {"severity", "high"}}) == 3);
    CHECK(after.value("vigil_actions_total", {{"plugin", "test_source"}, {"action", "notify"}, {"result", "ok"}}) == 2);
    CHECK(after.value("vigil_test_things_total", {{"plugin", "test_behaviors"}, {"kind", "a"}}) == 7);
    double age = after.value("vigil_watchdog_heartbeat_age_seconds", {{"plugin", "test_behaviors"}, {"component", "responder"}});
    CHECK(age >= 1.5);
    CHECK(after.value("vigil_bus_published_total", {{"source", "test_source"}}) >= 5);
    CHECK(AgentMetrics::heartbeats(a.mgr->snapshot()).size() == 1);
}

TEST_CASE("metrics listener: loopback only, GET /metrics, 404 elsewhere") {
    std::string h;
    uint16_t port = 0;
    CHECK(split_host_port("127.0.0.1:9101", h, port));
    CHECK(h == "127.0.0.1");
    CHECK(port == 9101);
    CHECK(split_host_port("[::1]:80", h, port));
    CHECK(h == "::1");
    CHECK_FALSE(split_host_port("127.0.0.1", h, port));
    CHECK_FALSE(split_host_port("127.0.0.1:99999", h, port));
    CHECK(is_loopback_literal("127.0.0.1"));
    CHECK(is_loopback_literal("127.9.9.9"));
    CHECK(is_loopback_literal("::1"));
    CHECK_FALSE(is_loopback_literal("0.0.0.0"));
    CHECK_FALSE(is_loopback_literal("10.0.0.1"));
    CHECK_FALSE(is_loopback_literal("localhost"));

    MetricsHttpServer server([] { return std::string("# TYPE x gauge\nx 1\n"); });
    std::string err;
    CHECK_FALSE(server.start("0.0.0.0:0", err));
    CHECK(err.find("loopback") != std::string::npos);
    std::string ok = server.respond("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(ok.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(ok.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
    CHECK(ok.find("\r\n\r\n# TYPE x gauge\nx 1\n") != std::string::npos);
    CHECK(server.respond("GET / HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 404", 0) == 0);
    CHECK(server.respond("POST /metrics HTTP/1.1\r\n\r\n").rfind("HTTP/1.1 405", 0) == 0);
    CHECK(server.respond("garbage\r\n\r\n").rfind("HTTP/1.1 400", 0) == 0);
}

TEST_CASE("textfile output replaces the file atomically and does not follow a planted symlink") {
    vigil::testing::TempDir dir;
    const std::string path = (dir / "vigil.prom").string();
    CHECK(write_textfile(path, "a 1\n").empty());
    CHECK(write_textfile(path, "a 2\n").empty());
    std::ifstream in(path);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(body == "a 2\n");
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);
    // A symlink at the target is replaced, its destination untouched.
    const std::string victim = (dir / "victim").string();
    { std::ofstream(victim) << "keep"; }
    ::unlink(path.c_str());
    REQUIRE(::symlink(victim.c_str(), path.c_str()) == 0);
    CHECK(write_textfile(path, "a 3\n").empty());
    std::ifstream v(victim);
    std::string kept((std::istreambuf_iterator<char>(v)), std::istreambuf_iterator<char>());
    CHECK(kept == "keep");
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    CHECK(S_ISREG(st.st_mode));
    CHECK_FALSE(write_textfile((dir / "missing/x.prom").string(), "a").empty());
}
