#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vigil::file_threat {

// What to do with a detected file. The first action is tried; when it fails
// the second one is (as the established product does).
enum class Action { Block, Quarantine, Delete, Notify };

std::string_view action_name(Action a);
std::optional<Action> parse_action(std::string_view name);

struct ActionPair {
    Action first = Action::Quarantine;
    Action second = Action::Block;
    bool operator==(const ActionPair&) const = default;
};

}  // namespace vigil::file_threat
