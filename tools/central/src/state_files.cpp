#include "state_files.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

namespace vigil::central {
namespace {

namespace fs = std::filesystem;

std::string octal(unsigned mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", mode & 07777u);
    return buf;
}

// Narrows `path` to `mode` when group or others have any access; notes what it changed.
void narrow(const std::string& path, mode_t mode, std::vector<std::string>& changed) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) return;
    if ((st.st_mode & 077) == 0) return;
    if (::chmod(path.c_str(), mode) == 0)
        changed.push_back(path + ": mode " + octal(st.st_mode) + " narrowed to " + octal(mode));
}

}  // namespace

std::vector<std::string> prepare_state(const CentralConfig& config) {
    ::umask(077);
    std::vector<std::string> changed;
    // The SQLite file's directory; a PostgreSQL node keeps no database file here.
    const bool sqlite = config.storage.engine == "sqlite";
    std::string db_dir = sqlite ? fs::path(config.database).parent_path().string() : std::string();
    for (const auto& dir : {db_dir, config.files_dir, config.agent_ca_dir}) {
        if (dir.empty()) continue;
        fs::create_directories(dir);  // with umask 077: 0700
        narrow(dir, 0700, changed);
    }
    if (sqlite)
        for (const char* suffix : {"", "-wal", "-shm"}) narrow(config.database + suffix, 0600, changed);
    return changed;
}

}  // namespace vigil::central
