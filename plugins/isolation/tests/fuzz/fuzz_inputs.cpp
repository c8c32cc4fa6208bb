// libFuzzer: every input the isolation plugin takes from outside — command
// arguments (server tasks, vigilctl), settings, the saved state, resolv.conf —
// is accepted whole or refused with ValidationError, and whatever is accepted
// builds a ruleset whose lines stay inside the table (no injected syntax).
#include <cstdint>
#include <string>
#include <string_view>

#include "json_input.hpp"
#include "resolvers.hpp"
#include "ruleset.hpp"
#include "settings.hpp"
#include "state_store.hpp"

using namespace vigil::isolation;

namespace {

void check_ruleset(const std::vector<Exclusion>& allowances) {
    RulesetSpec spec;
    spec.table = "fuzz";
    spec.allowances = allowances;
    spec.allow_dhcp = true;
    // A resolver like the real one. The cgroup lands inside an nft string:
    // a quote, backslash or line break there would end it, so parsing must
    // have refused those.
    spec.resolve_cgroup = [](const std::string& p) {
        if (p.find_first_of("\"\\\n\r") != std::string::npos) __builtin_trap();
        return p;
    };
    const std::string text = build_isolation_ruleset(spec);
    // Every allowance is one line of the chains; outside strings none may
    // open or close a block.
    size_t depth = 0;
    bool in_string = false;
    for (char c : text) {
        if (c == '"') in_string = !in_string;
        if (in_string) continue;
        if (c == '{') ++depth;
        if (c == '}') {
            if (depth == 0) __builtin_trap();
            --depth;
        }
    }
    if (depth != 0 || in_string) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        switch (data[0] % 5) {
            case 0: {  // isolation.on arguments as the controller reads them
                auto d = parse_json_object(text, "args");
                if (auto it = d.FindMember("exclusions"); it != d.MemberEnd())
                    check_ruleset(parse_exclusion_list(it->value, "exclusions"));
                if (auto it = d.FindMember("central_nodes"); it != d.MemberEnd())
                    (void)parse_endpoint_list(it->value, "central_nodes");
                if (auto it = d.FindMember("timeout_s"); it != d.MemberEnd())
                    (void)parse_seconds(it->value, "timeout_s", 1, kMaxTimeout);
                break;
            }
            case 1: {
                const Settings s = parse_settings(text);
                check_ruleset(s.exclusions);
                break;
            }
            case 2: {
                const IsolationState st = state_from_json(text);
                check_ruleset(st.exclusions);
                if (st.dns_resolvers) check_ruleset(dns_allowances(*st.dns_resolvers));
                (void)state_to_json(st);
                break;
            }
            case 3:
                check_ruleset(dns_allowances(parse_resolv_conf(text)));
                break;
            default:
                (void)parse_endpoint(text, "endpoint");
                (void)parse_agent_proxy(text);
                break;
        }
    } catch (const ValidationError&) {
    }
    return 0;
}
