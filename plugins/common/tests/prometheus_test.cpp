#include <doctest/doctest.h>

#include <cmath>
#include <thread>
#include <vector>

#include "vigil/common/prometheus.hpp"
#include "vigil/common/status_metrics.hpp"
#include "vigil/testing/prom_parser.hpp"

using namespace vigil::common;

TEST_CASE("prometheus: golden exposition (grouping, escaping, histogram, empty families left out)") {
    prom::Exposition e;
    auto* c = e.family("vigil_events_total", prom::Type::counter, "Events\\seen\nby type");
    c->add({{"type", "file"}}, 3);
    e.family("vigil_empty", prom::Type::gauge, "no samples yet");
    auto* g = e.family("vigil_queue_depth", prom::Type::gauge, "Depth");
    g->add({{"subscriber", "a\"b\\c\nd"}}, 0.25);
    e.family("vigil_events_total", prom::Type::counter, "ignored")->add({{"type", "exec"}}, 1e21);
    prom::HistogramData h{{0.1, 1}, {1, 2}, 3, 2.5};
    e.family("vigil_lat_seconds", prom::Type::histogram, "Latency")->add_histogram({{"op", "x"}}, h);
    CHECK(e.render() ==
          "# HELP vigil_events_total Events\\\\seen\\nby type\n"
          "# TYPE vigil_events_total counter\n"
          "vigil_events_total{type=\"file\"} 3\n"
          "vigil_events_total{type=\"exec\"} 1e+21\n"
          "# HELP vigil_queue_depth Depth\n"
          "# TYPE vigil_queue_depth gauge\n"
          "vigil_queue_depth{subscriber=\"a\\\"b\\\\c\\nd\"} 0.25\n"
          "# HELP vigil_lat_seconds Latency\n"
          "# TYPE vigil_lat_seconds histogram\n"
          "vigil_lat_seconds_bucket{op=\"x\",le=\"0.1\"} 1\n"
          "vigil_lat_seconds_bucket{op=\"x\",le=\"1\"} 2\n"
          "vigil_lat_seconds_bucket{op=\"x\",le=\"+Inf\"} 3\n"
          "vigil_lat_seconds_sum{op=\"x\"} 2.5\n"
          "vigil_lat_seconds_count{op=\"x\"} 3\n");
    CHECK(vigil::testing::parse_prometheus_text(e.render()).ok());
    CHECK(e.family("vigil_events_total", prom::Type::gauge, "") == nullptr);  // type conflict
    CHECK(e.family("9bad", prom::Type::gauge, "") == nullptr);
}

TEST_CASE("prometheus: names and values") {
    CHECK(prom::valid_metric_name("vigil_x:y_1"));
    CHECK_FALSE(prom::valid_metric_name("1x"));
    CHECK_FALSE(prom::valid_metric_name("a-b"));
    CHECK(prom::valid_label_name("le"));
    CHECK_FALSE(prom::valid_label_name("__name__"));
    CHECK_FALSE(prom::valid_label_name("a:b"));
    CHECK(prom::format_value(1) == "1");
    CHECK(prom::format_value(0.1) == "0.1");
    CHECK(prom::format_value(HUGE_VAL) == "+Inf");
    CHECK(prom::format_value(-HUGE_VAL) == "-Inf");
    CHECK(prom::format_value(std::nan("")) == "NaN");
}

TEST_CASE("histogram: cumulative buckets, concurrent observers") {
    Histogram h({0.01, 0.1, 1});
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; ++t)
        ts.emplace_back([&h] {
            for (int i = 0; i < 1000; ++i) h.observe(i % 4 == 0 ? 0.005 : i % 4 == 1 ? 0.05 : i % 4 == 2 ? 0.5 : 5.0);
        });
    for (auto& t : ts) t.join();
    auto d = h.snapshot();
    CHECK(d.cumulative == std::vector<uint64_t>{1000, 2000, 3000});
    CHECK(d.count == 4000);
    CHECK(d.sum == doctest::Approx(1000 * (0.005 + 0.05 + 0.5 + 5.0)));
    Histogram edge({1});
    edge.observe(1);  // le is inclusive
    CHECK(edge.snapshot().cumulative[0] == 1);
}

TEST_CASE("status metrics: JSON the host understands") {
    Histogram h({0.5});
    h.observe(0.25);
    StatusMetrics m;
    m.counter("vigil_a_total", "A \"quoted\"", {{"k", "v"}}, 2).gauge("vigil_b", "B", {}, 1.5).histogram("vigil_c_seconds", "C", {}, h);
    CHECK(m.json() ==
          R"([{"name":"vigil_a_total","type":"counter","help":"A \"quoted\"","samples":[{"labels":{"k":"v"},"value":2}]},)"
          R"({"name":"vigil_b","type":"gauge","help":"B","samples":[{"labels":{},"value":1.5}]},)"
          R"({"name":"vigil_c_seconds","type":"histogram","help":"C","samples":[{"labels":{},"buckets":[[0.5,1]],"sum":0.25,"count":1}]}])");
    CHECK(StatusMetrics().json() == "[]");
}
