// The default signature rules (rules/default.rules), compiled in.
#pragma once

namespace vigil::network_threat {
extern const char* const kDefaultRules;
}
