#include "critical_services.hpp"

namespace vigil::response {

const CriticalServices& CriticalServices::defaults() {
    static const CriticalServices c{
        {"sshd", "systemd", "init", "systemd-journald", "systemd-logind", "systemd-udevd", "udevd",
         "systemd-resolved", "systemd-networkd", "systemd-timesyncd", "systemd-machined", "dbus-daemon",
         "dbus-broker", "dbus-broker-launch", "auditd", "polkitd", "rsyslogd", "syslog-ng", "NetworkManager",
         "agetty", "containerd", "dockerd", "kubelet", "vigild"},
        {"/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/", "/usr/lib/systemd/", "/lib/systemd/", "/usr/libexec/",
         "/usr/lib/"}};
    return c;
}

std::string CriticalServices::match(const ProcessFacts& p) const {
    if (!p.exe_known) return {};
    bool in_system_dir = false;
    for (const auto& d : system_dirs)
        if (p.exe.compare(0, d.size(), d) == 0) in_system_dir = true;
    if (!in_system_dir) return {};
    const auto slash = p.exe.rfind('/');
    const std::string base = slash == std::string::npos ? p.exe : p.exe.substr(slash + 1);
    for (const auto& n : names)
        if (base == n) return n;
    return {};
}

}  // namespace vigil::response
