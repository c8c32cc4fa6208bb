#include "user_names.hpp"

#include <pwd.h>

#include <vector>

namespace vigil::behavior {

std::string UserNames::name(uint32_t uid) {
    {
        std::lock_guard g(mu_);
        if (auto* v = cache_.get(uid)) return *v;
    }
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* res = nullptr;
    std::string out = std::to_string(uid);
    if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &res) == 0 && res != nullptr && res->pw_name)
        out = res->pw_name;
    std::lock_guard g(mu_);
    cache_.put(uid, out);
    return out;
}

}  // namespace vigil::behavior
