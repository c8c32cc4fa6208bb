#include "compiled_rule.hpp"

namespace vigil::behavior::sigma {

bool Search::eval(const SigmaEvent& event) const {
    for (const auto& group : alternatives) {
        bool all = true;
        for (const auto& t : group) {
            if (!t.eval(event)) {
                all = false;
                break;
            }
        }
        if (all) return true;
    }
    return false;
}

}  // namespace vigil::behavior::sigma
