// Helpers shared by the behavior_sigma unit tests.
#pragma once

#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "behavior_sigma/detector.hpp"

namespace sigma_test {

using vigil::behavior::sigma::Category;
using vigil::behavior::sigma::Detector;
using vigil::behavior::sigma::FieldId;
using vigil::behavior::sigma::SigmaEvent;

// A rule around a detection block (the YAML under `detection:`, indented by 4).
inline std::string rule_yaml(std::string_view detection, std::string_view category = "process_creation",
                             std::string_view id = "00000000-0000-0000-0000-000000000001") {
    return "title: test rule\nid: " + std::string(id) +
           "\nstatus: test\nauthor: tester\nlevel: high\ntags:\n  - attack.execution\nlogsource:\n"
           "  product: linux\n  category: " +
           std::string(category) + "\ndetection:\n" + std::string(detection);
}

// A Detector holding exactly this rule; fails the test if it does not load.
inline Detector detector_for(std::string_view detection, std::string_view category = "process_creation") {
    Detector d;
    auto err = d.add_rule(rule_yaml(detection, category), "test");
    INFO("rule error: " << err.value_or("none"));
    REQUIRE_FALSE(err.has_value());
    return d;
}

inline std::string load_error(std::string_view detection, std::string_view category = "process_creation") {
    Detector d;
    return d.add_rule(rule_yaml(detection, category), "test").value_or("");
}

inline SigmaEvent event(Category c, std::initializer_list<std::pair<FieldId, std::string_view>> fields) {
    SigmaEvent e(c);
    for (auto& [f, v] : fields) e.set(f, v);
    return e;
}

inline SigmaEvent process(std::string_view image, std::string_view cmdline,
                          std::string_view parent_image = "/bin/bash") {
    return event(Category::ProcessCreation,
                 {{FieldId::Image, image}, {FieldId::CommandLine, cmdline}, {FieldId::ParentImage, parent_image},
                  {FieldId::User, "alice"}, {FieldId::ProcessId, "4242"}});
}

// An outgoing connection of /usr/bin/nc.
inline SigmaEvent network(std::string_view dst_ip, std::string_view port = "4444") {
    return event(Category::NetworkConnection, {{FieldId::Image, "/usr/bin/nc"},
                                               {FieldId::DestinationIp, dst_ip},
                                               {FieldId::DestinationPort, port},
                                               {FieldId::Initiated, "true"}});
}

inline bool hits(const Detector& d, const SigmaEvent& e) { return !d.evaluate(e).empty(); }

constexpr bool kHit = true, kMiss = false;

// An event and whether the rule under test detects it.
struct Expect {
    SigmaEvent event;
    bool detected;
};

// Checks for each event whether the detector finds it (CHECK per event).
inline void check_hits(const Detector& d, std::initializer_list<Expect> expects) {
    size_t event_index = 0;
    for (const Expect& e : expects) {
        CAPTURE(event_index);
        CHECK(hits(d, e.event) == e.detected);
        ++event_index;
    }
}

// Loads the rule around this detection block (it must load) and checks the events against it.
inline void check_rule(std::string_view detection, std::string_view category, std::initializer_list<Expect> expects) {
    check_hits(detector_for(detection, category), expects);
}
inline void check_rule(std::string_view detection, std::initializer_list<Expect> expects) {
    check_rule(detection, "process_creation", expects);
}

}  // namespace sigma_test
