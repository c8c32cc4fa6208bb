#include "vigil/common/user_names.hpp"

#include <grp.h>
#include <pwd.h>

#include <vector>

namespace vigil::common {

namespace {
constexpr size_t kBufferBytes = 16384;  // NSS entries (LDAP, SSSD) can be long
}  // namespace

std::optional<std::string> user_name(uint32_t uid) {
    std::vector<char> buf(kBufferBytes);
    passwd pw{};
    passwd* res = nullptr;
    if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &res) == 0 && res && res->pw_name) return res->pw_name;
    return std::nullopt;
}

std::optional<std::string> group_name(uint32_t gid) {
    std::vector<char> buf(kBufferBytes);
    group gr{};
    group* res = nullptr;
    if (::getgrgid_r(gid, &gr, buf.data(), buf.size(), &res) == 0 && res && res->gr_name) return res->gr_name;
    return std::nullopt;
}

std::string user_name_or_id(uint32_t uid) { return user_name(uid).value_or(std::to_string(uid)); }

std::string group_name_or_id(uint32_t gid) { return group_name(gid).value_or(std::to_string(gid)); }

}  // namespace vigil::common
