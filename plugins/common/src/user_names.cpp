#include "vigil/common/user_names.hpp"

#include <grp.h>
#include <pwd.h>

#include <vector>

namespace vigil::common {

namespace {
constexpr size_t kBufferBytes = 16384;  // NSS entries (LDAP, SSSD) can be long

// One NSS lookup (getpwuid_r / getgrgid_r): the entry's name, nullopt when there is none.
template <class Entry, class Lookup>
std::optional<std::string> nss_name(uint32_t id, Lookup lookup, char* Entry::*name) {
    std::vector<char> buf(kBufferBytes);
    Entry entry{};
    Entry* res = nullptr;
    if (lookup(id, &entry, buf.data(), buf.size(), &res) == 0 && res && res->*name) return res->*name;
    return std::nullopt;
}
}  // namespace

std::optional<std::string> user_name(uint32_t uid) { return nss_name(uid, ::getpwuid_r, &passwd::pw_name); }

std::optional<std::string> group_name(uint32_t gid) { return nss_name(gid, ::getgrgid_r, &group::gr_name); }

std::string user_name_or_id(uint32_t uid) { return user_name(uid).value_or(std::to_string(uid)); }

std::string group_name_or_id(uint32_t gid) { return group_name(gid).value_or(std::to_string(gid)); }

}  // namespace vigil::common
