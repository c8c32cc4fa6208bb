#include "agent_scope.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "ruleset.hpp"

namespace vigil::isolation {

std::string cgroup_of_proc_text(std::string_view text) {
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("0::", 0) != 0) continue;
        std::string path = line.substr(3);
        while (!path.empty() && path.front() == '/') path.erase(path.begin());
        // A cgroup removed meanwhile is reported as "... (deleted)".
        if (path.size() >= 10 && path.compare(path.size() - 10, 10, " (deleted)") == 0)
            throw std::invalid_argument("the process's cgroup was deleted");
        return path;
    }
    throw std::invalid_argument("no cgroup v2 entry (0::) in /proc/self/cgroup");
}

AgentScope agent_scope_of_self() {
    AgentScope s;
    s.uid = uint32_t(::geteuid());
    std::ifstream f("/proc/self/cgroup");
    std::stringstream text;
    text << f.rdbuf();
    try {
        s.cgroup = cgroup_of_proc_text(text.str());
    } catch (const std::invalid_argument& e) {
        s.warning = std::string(e.what()) + ": the agent's allowances match its uid only";
        return s;
    }
    if (s.cgroup.empty()) {
        s.warning = "vigild runs in the root cgroup: the agent's allowances match its uid only";
        return s;
    }
    const std::string mount = cgroup2_mount_point();
    struct stat st {};
    if (mount.empty() || ::stat((mount + "/" + s.cgroup).c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        s.warning = "cgroup " + s.cgroup + " of vigild is not visible under a cgroup v2 mount: " +
                    "the agent's allowances match its uid only";
        s.cgroup.clear();
    }
    return s;
}

}  // namespace vigil::isolation
