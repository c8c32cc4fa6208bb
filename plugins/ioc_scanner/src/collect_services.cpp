// ServiceItem: systemd service units from the unit directories; state from
// `systemctl list-units` when systemd is the running init.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "collectors.hpp"

extern char** environ;

namespace vigil::ioc_scanner {

namespace {

struct UnitState {
    std::string active, sub;
};

// Runs systemctl with a deadline so a hung D-Bus cannot stall the scan.
std::map<std::string, UnitState> systemctl_states() {
    std::map<std::string, UnitState> out;
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) return out;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    const char* argv[] = {"systemctl",   "list-units", "--type=service", "--all",
                          "--no-legend", "--no-pager", "--plain",        nullptr};
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, "systemctl", &fa, nullptr, const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pipefd[1]);
    if (rc != 0) {
        close(pipefd[0]);
        return out;
    }
    std::string text;
    char buf[4096];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{pipefd[0], POLLIN, 0};
        if (poll(&p, 1, int(left.count())) <= 0) break;
        ssize_t n = read(pipefd[0], buf, sizeof buf);
        if (n <= 0) break;
        text.append(buf, size_t(n));
    }
    close(pipefd[0]);
    kill(pid, SIGKILL);  // no-op when it already exited
    waitpid(pid, nullptr, 0);
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string unit, load, active, sub;
        if (ls >> unit >> load >> active >> sub) out[unit] = {active, sub};
    }
    return out;
}

struct UnitFile {
    std::string description, exec, user, type;
    bool has_install = false;
};

UnitFile parse_unit(const std::string& path) {
    UnitFile u;
    std::ifstream in(path);
    std::string line, section;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        if (line[0] == '[') {
            section = line;
            if (section == "[Install]") u.has_install = true;
            continue;
        }
        auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        std::string key = line.substr(0, eq), value = line.substr(eq + 1);
        while (!key.empty() && key.back() == ' ') key.pop_back();
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        if (section == "[Unit]" && key == "Description") u.description = value;
        if (section == "[Service]" && key == "ExecStart" && u.exec.empty()) u.exec = value;
        if (section == "[Service]" && key == "User") u.user = value;
        if (section == "[Service]" && key == "Type") u.type = value;
    }
    // ExecStart prefixes (@ - : + !) change how systemd runs it, not what.
    while (!u.exec.empty() && std::string("@-:+!").find(u.exec[0]) != std::string::npos) u.exec.erase(0, 1);
    return u;
}

std::set<std::string> enabled_units(const std::string& etc_dir) {
    std::set<std::string> out;
    std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(etc_dir.c_str()), closedir);
    if (!d) return out;
    while (auto* e = readdir(d.get())) {
        std::string n = e->d_name;
        if (!(n.ends_with(".wants") || n.ends_with(".requires"))) continue;
        std::unique_ptr<DIR, int (*)(DIR*)> w(opendir((etc_dir + "/" + n).c_str()), closedir);
        if (!w) continue;
        while (auto* f = readdir(w.get())) out.insert(f->d_name);
    }
    return out;
}

}  // namespace

std::vector<Record> collect_services(const CollectOptions& o) {
    std::vector<Record> out;
    std::map<std::string, std::string> units;  // name -> file (first directory wins)
    std::set<std::string> masked;
    for (const auto& dir : o.unit_dirs) {
        std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(dir.c_str()), closedir);
        if (!d) continue;
        while (auto* e = readdir(d.get())) {
            std::string n = e->d_name;
            if (!n.ends_with(".service") || units.count(n) || masked.count(n)) continue;
            const std::string path = dir + "/" + n;
            char target[256];
            ssize_t len = readlink(path.c_str(), target, sizeof target - 1);
            if (len > 0 && std::string(target, size_t(len)) == "/dev/null") {
                masked.insert(n);
                continue;
            }
            struct stat st {};
            if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
            units[n] = path;
        }
    }
    const auto enabled = o.unit_dirs.empty() ? std::set<std::string>{} : enabled_units(o.unit_dirs.front());
    std::map<std::string, UnitState> states;
    struct stat st {};
    if (o.query_systemctl && stat("/run/systemd/system", &st) == 0) states = systemctl_states();
    auto add = [&](const std::string& name, const std::string& file, const UnitFile& u,
                   const std::string& mode) {
        Record r;
        r.document = Document::Service;
        r.object = "service " + name + (file.empty() ? "" : " (" + file + ")");
        std::istringstream es(u.exec);
        std::string exe, arg, args;
        es >> exe;
        while (es >> arg) args += (args.empty() ? "" : " ") + arg;
        r.add(TermId::SvcName, name);
        r.add(TermId::SvcDescriptiveName, u.description);
        r.add(TermId::SvcDescription, u.description);
        r.add(TermId::SvcPath, exe);
        r.add(TermId::SvcArguments, args);
        r.add(TermId::SvcMode, mode);
        r.add(TermId::SvcStartedAs, u.user.empty() ? "root" : u.user);
        r.add(TermId::SvcType, u.type.empty() ? "simple" : u.type);
        auto it = states.find(name);
        r.add(TermId::SvcStatus,
              it != states.end() ? it->second.sub : (states.empty() ? "unknown" : "inactive"));
        out.push_back(std::move(r));
    };
    for (const auto& [name, file] : units) {
        UnitFile u = parse_unit(file);
        add(name, file, u, enabled.count(name) ? "enabled" : u.has_install ? "disabled" : "static");
    }
    for (const auto& name : masked) add(name, "", UnitFile{}, "masked");
    return out;
}

}  // namespace vigil::ioc_scanner
