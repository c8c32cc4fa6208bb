#include "agent_identity.hpp"

#include <unistd.h>

#include <fstream>
#include <regex>
#include <vigil/common/atomic_file.hpp>

namespace vigil::core {

std::string load_or_create_agent_id(const std::string& state_dir, std::string& error) {
    static const std::regex uuid_re("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
    const std::string path = state_dir + "/agent_id";
    {
        std::ifstream in(path);
        std::string id;
        if (in && std::getline(in, id)) {
            if (std::regex_match(id, uuid_re)) return id;
            error = path + " does not hold a UUID; remove it to create a new agent id";
            return {};
        }
    }
    std::ifstream rnd("/proc/sys/kernel/random/uuid");
    std::string id;
    if (!rnd || !std::getline(rnd, id) || !std::regex_match(id, uuid_re)) {
        error = "cannot generate an agent id from /proc/sys/kernel/random/uuid";
        return {};
    }
    try {
        common::write_file_atomic(path, id + "\n", {.mode = 0600});
    } catch (const std::exception& e) {
        error = e.what();
        return {};
    }
    return id;
}

std::string local_hostname() {
    char buf[256] = {0};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
    return buf;
}

}  // namespace vigil::core
