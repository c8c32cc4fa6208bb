// What a loaded Sigma rule says about itself; carried by every match.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vigil/events.h>

namespace vigil::behavior::sigma {

enum class Level { Informational, Low, Medium, High, Critical };

std::string_view level_name(Level l);
std::optional<Level> level_from_name(std::string_view name);
// informational -> VIGIL_SEV_INFO ... critical -> VIGIL_SEV_CRITICAL
vigil_severity to_severity(Level l);

struct RuleInfo {
    std::string id;           // the rule's `id` (a UUID), or the file name when it has none
    std::string title;
    std::string description;
    std::string author;       // kept in every alert (DRL 1.1 attribution)
    std::string status;       // stable, test, experimental, deprecated, unsupported, or empty
    Level level = Level::Medium;  // `level`; medium when the rule has none
    std::vector<std::string> tags;  // e.g. attack.execution, attack.t1059.004
    std::vector<std::string> references;
    std::vector<std::string> falsepositives;
    std::string product, category, service;  // the rule's logsource
    std::string source;       // file path, or the origin given to add_rule()
    // Fields the rule tests that our events never carry (their tests never match).
    std::vector<std::string> unmapped_fields;
};

// "attack.t1059,attack.execution": the form vigil_threat_event.tags uses.
std::string join_tags(const RuleInfo& r);

}  // namespace vigil::behavior::sigma
