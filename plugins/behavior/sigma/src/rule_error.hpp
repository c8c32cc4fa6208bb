// The reason a rule cannot be loaded; the message names the offending part
// (search identifier, field, modifier or value) so the warning is actionable.
#pragma once

#include <stdexcept>
#include <string>

namespace vigil::behavior::sigma {

struct RuleError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace vigil::behavior::sigma
