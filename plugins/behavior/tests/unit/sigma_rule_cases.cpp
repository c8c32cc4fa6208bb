#include "sigma_rule_cases.hpp"

#include <yaml-cpp/yaml.h>

#include <stdexcept>
#include <vector>

#include "behavior_sigma/category.hpp"
#include "behavior_sigma/field.hpp"
#include "sigma_test_util.hpp"

namespace sigma_test {

namespace {

// The lines of a detection block indented by 4, as rule_yaml() wants them.
std::string indented(const std::string& block) {
    std::string out;
    size_t start = 0;
    while (start < block.size()) {
        size_t end = block.find('\n', start);
        if (end == std::string::npos) end = block.size();
        out += "    " + block.substr(start, end - start) + "\n";
        start = end + 1;
    }
    return out;
}

Category category_named(const std::string& name) {
    auto c = vigil::behavior::sigma::category_from_name(name);
    if (!c) throw std::runtime_error("unknown category " + name);
    return *c;
}

void set_fields(SigmaEvent& ev, const YAML::Node& fields) {
    for (const auto& f : fields) {
        const auto name = f.first.as<std::string>();
        const auto id = vigil::behavior::sigma::field_from_name(name);
        if (!id) throw std::runtime_error("unknown field " + name);
        ev.set(*id, f.second.as<std::string>());
    }
}

SigmaEvent event_of(const YAML::Node& e) {
    SigmaEvent ev(Category::ProcessCreation);
    if (const auto p = e["process"]) {
        const auto a = p.as<std::vector<std::string>>();
        ev = a.size() > 2 ? process(a.at(0), a.at(1), a.at(2)) : process(a.at(0), a.at(1));
    } else if (const auto n = e["net"]) {
        const auto a = n.as<std::vector<std::string>>();
        ev = a.size() > 1 ? network(a.at(0), a.at(1)) : network(a.at(0));
    } else {
        ev = SigmaEvent(category_named(e["event"].as<std::string>()));
    }
    set_fields(ev, e["fields"]);
    return ev;
}

}  // namespace

void check_rule_cases(const std::string& file) {
    const YAML::Node cases =
        YAML::LoadFile(std::string(VIGIL_SOURCE_DIR) + "/plugins/behavior/tests/unit/sigma_cases/" + file);
    REQUIRE(cases.IsSequence());
    REQUIRE(cases.size() > 0);
    for (const auto& c : cases) {
        const auto name = c["name"].as<std::string>();
        CAPTURE(name);
        const auto category = c["category"] ? c["category"].as<std::string>() : std::string("process_creation");
        const std::string detection = indented(c["detection"].as<std::string>());
        if (const auto error = c["error"]) {
            CHECK(load_error(detection, category).find(error.as<std::string>()) != std::string::npos);
            continue;
        }
        const Detector d = detector_for(detection, category);
        REQUIRE(c["events"].size() > 0);
        size_t event_index = 0;
        for (const auto& e : c["events"]) {
            CAPTURE(event_index);
            CHECK(hits(d, event_of(e)) == e["hit"].as<bool>());
            ++event_index;
        }
    }
}

}  // namespace sigma_test
