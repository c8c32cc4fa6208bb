#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <set>
#include <string>

#include "settings.hpp"
#include "status.hpp"

using namespace vigil::network_threat;

TEST_CASE("status: the metrics array names what the documentation lists") {
    const Settings s = parse_settings("{}");
    SensorCounters c;
    c.records = 10;
    c.noise = 3;
    c.lost = 1;
    vigil::common::Histogram h(vigil::common::Histogram::local_latency_bounds());
    h.observe(0.002);
    StatusInput in;
    in.settings = &s;
    in.sensor = &c;
    in.policy.bans = 2;
    in.findings_by_class = {{"scan.tcp.syn", 2}, {"flood.syn", 1}};
    in.ban_latency = &h;
    const std::string json = status_json(in);
    rapidjson::Document d;
    d.Parse(json.c_str());
    REQUIRE(!d.HasParseError());
    REQUIRE(d["metrics"].IsArray());
    std::set<std::string> names;
    for (const auto& f : d["metrics"].GetArray()) names.insert(f["name"].GetString());
    for (const char* n : {"vigil_network_threat_detections_total", "vigil_network_threat_decisions_total",
                          "vigil_network_threat_evidence_packets_total", "vigil_network_threat_evidence_discarded_total",
                          "vigil_network_threat_evidence_lost_total", "vigil_network_threat_signature_hits_total",
                          "vigil_network_threat_banned_packets_total", "vigil_network_threat_ban_duration_seconds"})
        CHECK(names.count(n) == 1);
    for (const auto& f : d["metrics"].GetArray()) {
        if (std::string(f["name"].GetString()) != "vigil_network_threat_detections_total") continue;
        CHECK(f["samples"].Size() == 2);
        CHECK(f["type"].GetString() == std::string("counter"));
    }
    // The host's own families (gauges bans and tracked_sources, counter findings) are not repeated.
    CHECK(names.count("vigil_network_threat_bans") == 0);
    CHECK(names.count("vigil_network_threat_findings_total") == 0);
}
