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

FieldMask CompiledRule::fields() const {
    FieldMask m;
    for (const auto& s : searches)
        for (const auto& group : s.alternatives)
            for (const auto& t : group) t.add_fields(m);
    return m;
}

}  // namespace vigil::behavior::sigma
