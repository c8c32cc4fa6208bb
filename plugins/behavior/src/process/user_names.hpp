// uid → user name (common::user_name_or_id), cached: each lookup reads /etc/passwd or NSS.
#pragma once

#include "lru_cache.hpp"

#include <cstdint>
#include <mutex>
#include <string>

namespace vigil::behavior {

class UserNames {
public:
    explicit UserNames(size_t capacity = 1024) : cache_(capacity) {}
    // The name, or the uid as digits when the user database has none.
    std::string name(uint32_t uid);

private:
    std::mutex mu_;
    LruCache<uint32_t, std::string> cache_;
};

}  // namespace vigil::behavior
