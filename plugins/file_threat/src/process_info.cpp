#include "process_info.hpp"

#include <pwd.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace file_threat {

namespace {
std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
std::string link(const std::string& path) {
    char buf[4096];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
    return n > 0 ? std::string(buf, size_t(n)) : std::string();
}
}  // namespace

vigil::ProcessInfo read_process_info(pid_t pid) {
    vigil::ProcessInfo p;
    p.pid = pid;
    if (pid <= 0) return p;
    const std::string base = "/proc/" + std::to_string(pid);
    std::string status = read_all(base + "/status");
    if (status.empty()) return p;
    p.flags |= VIGIL_PROC_FLAG_KNOWN;
    std::istringstream st(status);
    for (std::string line; std::getline(st, line);) {
        std::istringstream ls(line);
        std::string key;
        ls >> key;
        if (key == "PPid:") ls >> p.ppid;
        else if (key == "Uid:") ls >> p.uid >> p.euid;
        else if (key == "Gid:") ls >> p.gid >> p.egid;
    }
    p.exe = link(base + "/exe");
    p.cwd = link(base + "/cwd");
    p.comm = read_all(base + "/comm");
    if (!p.comm.empty() && p.comm.back() == '\n') p.comm.pop_back();
    std::string cmd = read_all(base + "/cmdline");
    for (size_t pos = 0; pos < cmd.size();) {
        size_t end = cmd.find('\0', pos);
        if (end == std::string::npos) end = cmd.size();
        p.argv.emplace_back(cmd, pos, end - pos);
        pos = end + 1;
    }
    for (size_t i = 0; i < p.argv.size(); ++i) p.cmdline += (i ? " " : "") + p.argv[i];
    char buf[1024];
    struct passwd pw, *res = nullptr;
    if (getpwuid_r(p.uid, &pw, buf, sizeof buf, &res) == 0 && res) p.user = res->pw_name;
    return p;
}

}  // namespace file_threat
