#include "web_threat_squid_peer.hpp"

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <thread>

namespace vigil::bench {

namespace {

constexpr const char* kSquid = "/usr/sbin/squid";


// No cache, no access log, one process; the request's Host resolves from
// its own hosts file (no DNS in the namespace): what remains is the proxy.
void write_config(const std::string& dir) {
    std::ofstream(dir + "/hosts") << "10.9.0.2 ok.test\n";
    std::ofstream(dir + "/squid.conf") << "http_port 3128\n"
                                          "http_port "
                                       << kSquidListen
                                       << " intercept\n"
                                          "http_access allow all\n"
                                          "cache deny all\n"
                                          "access_log none\n"
                                          "cache_store_log none\n"
                                          "cache_log "
                                       << dir << "/cache.log\npid_filename " << dir << "/squid.pid\ncoredump_dir " << dir
                                       << "\nhosts_file " << dir
                                       << "/hosts\n"
                                          "dns_nameservers 127.0.0.1\n"
                                          "pinger_enable off\n"
                                          "cache_effective_user proxy\n"
                                          "max_filedescriptors 8192\n"
                                          "shutdown_lifetime 0 seconds\n";
}

}  // namespace

SquidPeer start_squid(const std::string& dir, uint16_t port, const std::function<bool(uint16_t)>& accepts) {
    SquidPeer s;
    if (::access(kSquid, X_OK) != 0) {
        s.error = "not installed (apt-get install squid)";
        return s;
    }
    // Squid runs as proxy: its files in a directory of its own.
    const passwd* pw = ::getpwnam("proxy");
    const std::string own = dir + "/squid";
    if (!pw || ::mkdir(own.c_str(), 0700) != 0 || ::chown(own.c_str(), pw->pw_uid, pw->pw_gid) != 0 ||
        ::chmod(dir.c_str(), 0711) != 0) {
        s.error = "no user proxy or no directory for it";
        return s;
    }
    write_config(own);
    for (const char* f : {"/hosts", "/squid.conf"}) (void)::chown((own + f).c_str(), pw->pw_uid, pw->pw_gid);
    // Squid's own connections (uid proxy) go out as they are.
    const std::string nft = "nft 'add table ip vigil_bench_squid; add chain ip vigil_bench_squid out "
                            "{ type nat hook output priority -100; }; add rule ip vigil_bench_squid out "
                            "meta skuid proxy return; add rule ip vigil_bench_squid out tcp dport " +
                            std::to_string(port) + " redirect to :" + std::to_string(kSquidListen) + "'";
    if (std::system(nft.c_str()) != 0) {
        s.error = "nft redirect failed";
        return s;
    }
    s.pid = ::fork();
    if (s.pid == 0) {
        const std::string conf = own + "/squid.conf";
        ::execl(kSquid, kSquid, "-N", "-f", conf.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    for (int i = 0; i < 100 && !accepts(kSquidListen); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!accepts(kSquidListen)) {
        s.error = "did not start (see its cache.log)";
        stop_squid(s);
    }
    return s;
}

void stop_squid(SquidPeer& s) {
    if (s.pid > 0) {
        ::kill(s.pid, SIGKILL);
        ::waitpid(s.pid, nullptr, 0);
    }
    s.pid = -1;
}

}  // namespace vigil::bench
