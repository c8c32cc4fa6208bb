// Sigma log source categories the engine evaluates, and how rule log sources
// map onto them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace vigil::behavior::sigma {

// The event categories our telemetry produces. Rules whose log source names
// anything else (auditd, syslog, sshd, ...) still load but are never evaluated.
enum class Category : std::uint8_t {
    ProcessCreation,     // process_start
    ProcessTermination,  // process_exit
    FileEvent,           // file create / modify (and the new name of a rename)
    FileDelete,          // file delete
    FileRename,          // file rename
    FileAccess,          // file open
    NetworkConnection,   // network connect / accept
};
inline constexpr std::size_t kCategoryCount = 7;

// Sigma's name for a category, e.g. "process_creation".
std::string_view category_name(Category c);

// The category a rule's `logsource.category` names, if we produce it.
std::optional<Category> category_from_name(std::string_view name);

// Which rule buckets an event of category `c` is checked against. A rename is
// also a file_event (the file appears under its new name), so file_event
// rules see renames too.
std::span<const Category> rule_buckets_for(Category c);

}  // namespace vigil::behavior::sigma
