#include <vigil/common/process_metrics.hpp>

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <vigil/common/proc.hpp>

namespace vigil::common {


namespace {
// Fields of /proc/self/stat after the command name (which may hold spaces).
std::vector<std::string> stat_fields() {
    std::ifstream in("/proc/self/stat");
    std::string line;
    std::getline(in, line);
    auto close = line.rfind(')');
    std::vector<std::string> out;
    if (close == std::string::npos) return out;
    std::istringstream rest(line.substr(close + 2));
    for (std::string f; rest >> f;) out.push_back(f);
    return out;  // out[0] is field 3 (state)
}

double open_fds() {
    DIR* d = ::opendir("/proc/self/fd");
    if (!d) return 0;
    double n = 0;
    while (dirent* e = ::readdir(d))
        if (e->d_name[0] != '.') ++n;
    ::closedir(d);
    return n - 1;  // the directory stream's own descriptor
}

void gauge(prom::Exposition& out, const char* name, const char* help, double v) {
    if (auto* f = out.family(name, prom::Type::gauge, help)) f->add({}, v);
}
}  // namespace

void render_process_metrics(prom::Exposition& out) {
    auto f = stat_fields();
    const double ticks = double(::sysconf(_SC_CLK_TCK));
    const double page = double(::sysconf(_SC_PAGESIZE));
    // Field numbers from proc(5): utime 14, stime 15, num_threads 20, vsize 23, rss 24 (common::ProcStat
    // has none of these).
    auto field = [&](size_t n) { return n - 3 < f.size() ? std::stod(f[n - 3]) : 0.0; };
    if (auto* c = out.family("process_cpu_seconds_total", prom::Type::counter, "User and system CPU time spent in seconds"))
        c->add({}, (field(14) + field(15)) / ticks);
    gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes", field(24) * page);
    gauge(out, "process_virtual_memory_bytes", "Virtual memory size in bytes", field(23));
    gauge(out, "process_start_time_seconds", "Start time of the process since the Unix epoch in seconds",
          double(ProcFs().start_time_ns(::getpid())) / 1e9);
    gauge(out, "process_threads", "Number of OS threads in the process", field(20));
    gauge(out, "process_open_fds", "Number of open file descriptors", open_fds());
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0)
        gauge(out, "process_max_fds", "Maximum number of open file descriptors",
              rl.rlim_cur == RLIM_INFINITY ? -1.0 : double(rl.rlim_cur));
}

}  // namespace vigil::common
