#include "self_test.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <vigil/plugin.h>

namespace vigil::isolation {

std::string ProbeTarget::text() const {
    if (address.find(':') != std::string::npos) return "[" + address + "]:" + std::to_string(port);
    return address + ":" + std::to_string(port);
}

namespace {

std::string json_string(const std::string& json, const char* key) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    if (d.HasParseError() || !d.IsObject()) return {};
    auto it = d.FindMember(key);
    return it != d.MemberEnd() && it->value.IsString() ? it->value.GetString() : std::string();
}

}  // namespace

std::string contact_kind(const ContactReply& r) {
    if (r.status == VIGIL_OK) return {};
    std::string kind = json_string(r.result_json, "kind");
    if (kind.empty()) {
        // The error text starts with "<kind>: " by contract.
        const auto colon = r.error.find(':');
        if (colon != std::string::npos && colon <= 16) kind = r.error.substr(0, colon);
    }
    return kind;
}

ContactOutcome classify_contact(const ContactReply& r) {
    switch (r.status) {
        case VIGIL_OK:
            return ContactOutcome::reached;
        case VIGIL_ETIMEDOUT:
            return ContactOutcome::unreachable;  // the exchange did not end in time
        case VIGIL_EFAILED:
            break;
        default:  // not found, disabled, unsupported, refused arguments, ...
            return ContactOutcome::no_connector;
    }
    const std::string kind = contact_kind(r);
    // The verified central node answered, with an error status: the path works.
    if (kind == "http") return ContactOutcome::reached;
    if (kind == "connect" || kind == "timeout" || kind == "proxy" || kind == "network")
        return ContactOutcome::unreachable;
    // "tls", "protocol" or a kind we do not know: whoever answered was not
    // proven to be the central node, so this is no evidence against the rules.
    return ContactOutcome::not_central;
}

void SelfTest::begin(int64_t now_ms, int64_t budget_ms) {
    active_ = true;
    in_flight_ = false;
    deadline_ms_ = now_ms + std::max<int64_t>(budget_ms, 0);
    next_ms_ = now_ms;
    attempts_ = 0;
    last_unreachable_.clear();
    last_not_central_.clear();
}

std::optional<int64_t> SelfTest::next_attempt(int64_t now_ms) {
    if (!active_ || in_flight_ || now_ms < next_ms_) return std::nullopt;
    in_flight_ = true;
    ++attempts_;
    next_ms_ = now_ms + kRetryMs;
    return std::clamp<int64_t>(deadline_ms_ - now_ms, 1000, kMaxAttemptMs);
}

std::optional<SelfTestVerdict> SelfTest::on_reply(const ContactReply& r, int64_t now_ms) {
    if (!active_ || !in_flight_) return std::nullopt;
    in_flight_ = false;
    const std::string central = json_string(r.result_json, "central");
    const std::string who = central.empty() ? std::string("the central node") : central;
    SelfTestVerdict v;
    switch (classify_contact(r)) {
        case ContactOutcome::reached:
            v.kind = SelfTestVerdict::passed;
            v.detail = r.status == VIGIL_OK ? "authenticated exchange with " + who + " succeeded"
                                            : who + " answered (" + r.error + "): the path works";
            active_ = false;
            return v;
        case ContactOutcome::no_connector:
            v.kind = SelfTestVerdict::inconclusive;
            v.detail = "no connector to ask for an authenticated exchange (" + r.error +
                       "); isolation kept, lost contact still releases it";
            active_ = false;
            return v;
        case ContactOutcome::unreachable:
            last_unreachable_ = r.error.empty() ? "no answer in time" : r.error;
            break;
        case ContactOutcome::not_central:
            last_not_central_ = r.error;
            break;
    }
    if (std::max(now_ms, next_ms_) < deadline_ms_) return std::nullopt;  // try again
    active_ = false;
    if (!last_not_central_.empty()) {
        v.kind = SelfTestVerdict::inconclusive;
        v.detail = "something other than the verified central node answered (" + last_not_central_ +
                   "); isolation kept";
        return v;
    }
    v.kind = SelfTestVerdict::failed;
    v.detail = "no authenticated exchange with a central node in " + std::to_string(attempts_) +
               " attempt(s): " + last_unreachable_;
    return v;
}

}  // namespace vigil::isolation
