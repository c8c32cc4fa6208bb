#include "user_names.hpp"

#include <vigil/common/user_names.hpp>

namespace vigil::behavior {

std::string UserNames::name(uint32_t uid) {
    {
        std::lock_guard g(mu_);
        if (auto* v = cache_.get(uid)) return *v;
    }
    std::string out = common::user_name_or_id(uid);
    std::lock_guard g(mu_);
    cache_.put(uid, out);
    return out;
}

}  // namespace vigil::behavior
