#include "contact.hpp"

#include <vigil/agent.hpp>

namespace vigil::isolation {

std::optional<int64_t> last_contact_ms(std::string_view json, std::string_view plugin) {
    // An empty name would mean "any connector" to the SDK; the setting names one.
    if (plugin.empty()) return std::nullopt;
    const auto ns = vigil::last_central_contact_ns(json, plugin);
    if (!ns || *ns <= 0) return std::nullopt;
    return *ns / 1'000'000;
}

}  // namespace vigil::isolation
