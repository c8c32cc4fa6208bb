// Turns the YAML text of one Sigma rule into a CompiledRule.
#pragma once

#include <memory>
#include <string_view>

#include "compiled_rule.hpp"

namespace vigil::behavior::sigma {

// Throws RuleError with the reason the rule cannot be used (YAML syntax with
// line and column, missing title/logsource/detection, non-Linux product,
// unknown modifier, bad regex or network, bad condition, ...).
std::unique_ptr<CompiledRule> compile_rule(std::string_view yaml_text, std::string_view source);

}  // namespace vigil::behavior::sigma
