#pragma once
// User and group names from the system's databases (/etc/passwd, /etc/group or NSS) by id,
// through the reentrant calls with a buffer large enough for long NSS entries.
#include <cstdint>
#include <optional>
#include <string>

namespace vigil::common {

// The name of the user / group, nullopt when the database has none.
std::optional<std::string> user_name(uint32_t uid);
std::optional<std::string> group_name(uint32_t gid);

// The name, or the id as decimal text when there is none (for display).
std::string user_name_or_id(uint32_t uid);
std::string group_name_or_id(uint32_t gid);

}  // namespace vigil::common
