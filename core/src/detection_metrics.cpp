#include "detection_metrics.hpp"

#include <vigil/sdk.hpp>

namespace vigil::core {

namespace prom = common::prom;

namespace {
const char* severity_name(uint32_t s) {
    static const char* names[] = {"info", "low", "medium", "high", "critical"};
    return s < 5 ? names[s] : "unknown";
}

// Label values from plugins: bounded and printable.
std::string bounded(std::string_view v, const char* fallback) {
    if (v.empty()) return fallback;
    std::string out(v.substr(0, 128));
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20) c = '?';
    return out;
}
}  // namespace

DetectionMetrics::DetectionMetrics(Bus& bus) : bus_(bus) {
    auto deliver = [this](const vigil_message& m) { on_message(m); };
    // Threats and action results are critical messages: never dropped.
    threat_sub_ = bus_.subscribe(VIGIL_TYPE_THREAT, 1024, VIGIL_OVERFLOW_DROP_OLDEST, deliver, "agent", nullptr);
    action_sub_ = bus_.subscribe(VIGIL_TYPE_ACTION_RESULT, 1024, VIGIL_OVERFLOW_DROP_OLDEST, deliver, "agent", nullptr);
}

DetectionMetrics::~DetectionMetrics() {
    bus_.unsubscribe(threat_sub_);
    bus_.unsubscribe(action_sub_);
}

template <class Map, class Key>
void DetectionMetrics::bump(Map& m, Key k, Key overflow) {
    auto it = m.find(k);
    if (it == m.end()) {
        if (m.size() >= kMaxSeries) it = m.try_emplace(std::move(overflow), 0).first;
        else it = m.emplace(std::move(k), 0).first;
    }
    ++it->second;
}

void DetectionMetrics::on_message(const vigil_message& m) {
    const std::string plugin = bounded(m.source ? std::string_view(m.source, m.source_len) : std::string_view{}, "unknown");
    std::lock_guard<std::mutex> g(mu_);
    if (m.type_id == VIGIL_TYPE_THREAT) {
        auto v = view<vigil_threat_event>(m.payload, m.payload_size);
        if (!v.valid) return;
        std::string detector = bounded(v.str(v->detector), "unknown");
        std::string rule = bounded(v.str(v->rule_id), "");
        if (rule.empty()) rule = bounded(v.str(v->title), "unknown");
        std::string sev = severity_name(v->severity);
        bump(threats_, ThreatKey{plugin, detector, rule, sev}, ThreatKey{plugin, detector, "_other", sev});
    } else if (m.type_id == VIGIL_TYPE_ACTION_RESULT) {
        auto v = view<vigil_action_result>(m.payload, m.payload_size);
        if (!v.valid) return;
        std::string action = bounded(v.str(v->action), "unknown");
        std::string result = v->status == VIGIL_OK ? "ok" : "failed";
        bump(actions_, ActionKey{plugin, action, result}, ActionKey{plugin, "_other", result});
    }
}

void DetectionMetrics::render(prom::Exposition& out) const {
    std::lock_guard<std::mutex> g(mu_);
    if (auto* f = out.family("vigil_detections_total", prom::Type::counter,
                             "Detections (threat messages) by plugin, detector, rule and severity"))
        for (const auto& [k, n] : threats_)
            f->add({{"plugin", std::get<0>(k)}, {"detector", std::get<1>(k)}, {"rule", std::get<2>(k)},
                    {"severity", std::get<3>(k)}},
                   double(n));
    if (auto* f = out.family("vigil_actions_total", prom::Type::counter,
                             "Response actions (action results) by plugin, action and result"))
        for (const auto& [k, n] : actions_)
            f->add({{"plugin", std::get<0>(k)}, {"action", std::get<1>(k)}, {"result", std::get<2>(k)}}, double(n));
}

}  // namespace vigil::core
