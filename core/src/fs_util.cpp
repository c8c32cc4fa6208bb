#include "fs_util.hpp"

#include <sys/stat.h>

#include <cerrno>

namespace vigil::core {

bool make_dirs(const std::string& path, mode_t mode) {
    for (size_t i = 1; i <= path.size(); ++i) {
        if (i == path.size() || path[i] == '/') {
            std::string prefix = path.substr(0, i);
            if (::mkdir(prefix.c_str(), mode) != 0 && errno != EEXIST) return false;
        }
    }
    return true;
}

}  // namespace vigil::core
