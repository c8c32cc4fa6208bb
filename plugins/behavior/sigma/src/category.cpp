#include "behavior_sigma/category.hpp"

#include <array>

namespace vigil::behavior::sigma {

namespace {
constexpr std::array<std::string_view, kCategoryCount> kNames = {
    "process_creation", "process_termination", "file_event", "file_delete",
    "file_rename",      "file_access",         "network_connection",
};
}  // namespace

std::string_view category_name(Category c) { return kNames[static_cast<std::size_t>(c)]; }

std::optional<Category> category_from_name(std::string_view name) {
    for (std::size_t i = 0; i < kNames.size(); ++i)
        if (kNames[i] == name) return static_cast<Category>(i);
    // Older SigmaHQ rules and Sysmon naming used "file_change" for file_event.
    if (name == "file_change") return Category::FileEvent;
    return std::nullopt;
}

std::span<const Category> rule_buckets_for(Category c) {
    static constexpr Category kProcessCreation[] = {Category::ProcessCreation};
    static constexpr Category kProcessTermination[] = {Category::ProcessTermination};
    static constexpr Category kFileEvent[] = {Category::FileEvent};
    static constexpr Category kFileDelete[] = {Category::FileDelete};
    static constexpr Category kFileRename[] = {Category::FileRename, Category::FileEvent};
    static constexpr Category kFileAccess[] = {Category::FileAccess};
    static constexpr Category kNetwork[] = {Category::NetworkConnection};
    switch (c) {
    case Category::ProcessCreation: return kProcessCreation;
    case Category::ProcessTermination: return kProcessTermination;
    case Category::FileEvent: return kFileEvent;
    case Category::FileDelete: return kFileDelete;
    case Category::FileRename: return kFileRename;
    case Category::FileAccess: return kFileAccess;
    case Category::NetworkConnection: return kNetwork;
    }
    return {};
}

}  // namespace vigil::behavior::sigma
