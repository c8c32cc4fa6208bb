// The scan engine on real files, processes and sockets of this machine:
// planted items match, near misses do not, actions are carried out.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "collectors.hpp"
#include "engine_test_util.hpp"
#include "vigil/testing/temp_dir.hpp"
#include "vigil/testing/loopback.hpp"
#include "file_view.hpp"
#include "scan_engine.hpp"
#include "scan_json.hpp"

using namespace vigil::ioc_scanner;
namespace fs = std::filesystem;

using namespace vigil::ioc_scanner::test;

TEST_CASE("ioc_scanner engine matches planted files and misses near misses") {
    TempDir t;
    const std::string marker = "IOC_MARKER_" + std::to_string(getpid());
    write(t.path / "a/cron.sh", "#!/bin/sh\n" + marker + "\n");
    write(t.path / "b/cron.sh", "#!/bin/sh\necho harmless\n");       // same name, no marker
    write(t.path / "a/cron.sh.bak", "#!/bin/sh\n" + marker + "\n");  // marker, other name
    write(t.path / "c/payload.bin", "abc");                          // sha256 known
    write(t.path / "c/payload2.bin", "abd");
    const std::string abc256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    ScanRequest req;
    req.paths = {t.path.string()};
    req.ioc_xml = {
        ioc_xml("planted", ind("OR", ind("AND", item("FileItem/FileName", "is", "cron.sh") +
                                                    item("FileItem/StringList/string", "contains", marker)) +
                                         item("FileItem/Sha256sum", "is", abc256, "sha256")))};
    std::atomic<bool> cancel{false};
    FakeSink sink;
    ScanReport r = run_scan(req, quiet_settings(), cancel, sink, 1);
    CHECK(r.status == "completed");
    CHECK(r.files_scanned == 5);
    CHECK(paths_of(r) ==
          std::set<std::string>{(t.path / "a/cron.sh").string(), (t.path / "c/payload.bin").string()});
    REQUIRE(r.matches.size() == 1);
    CHECK(r.matches[0].threat_id == 100);
    // Every file is hashed at most once, and only because an IOC asks for SHA-256.
    CHECK(r.files_hashed == 5);
    CHECK(sink.phases.front() == "loading");
    CHECK(sink.phases.back() == "done");
    const std::string json = report_json(r);
    CHECK(json.find("\"term\":\"FileItem/Sha256sum\"") != std::string::npos);
    CHECK(json.find("\"value\":\"" + abc256 + "\"") != std::string::npos);
}

TEST_CASE("ioc_scanner engine: names only means no hashing; size limit; exclusions; path hint") {
    TempDir t;
    write(t.path / "x/evil.so", std::string(4096, 'x'));
    write(t.path / "y/evil.so", "small");
    write(t.path / "z/evil.so", "small");
    ScanRequest req;
    req.paths = {t.path.string()};
    req.ioc_xml = {ioc_xml("names", ind("OR", item("FileItem/FileName", "is", "evil.so")))};
    req.exclusions = {(t.path / "z").string()};
    std::atomic<bool> cancel{false};
    FakeSink sink;
    ScanReport r = run_scan(req, quiet_settings(), cancel, sink);
    CHECK(paths_of(r).size() == 2);
    CHECK(r.files_hashed == 0);
    CHECK(r.excluded == 1);

    req.path_hint_regex = "/y/";
    r = run_scan(req, quiet_settings(), cancel, sink);
    CHECK(paths_of(r) == std::set<std::string>{(t.path / "y/evil.so").string()});

    // Hash limit: the big file is not hashed, so a hash term cannot match it.
    Digests d;
    REQUIRE(hash_file((t.path / "x/evil.so").string(), true, false, false, 1 << 30, d, nullptr, nullptr,
                      nullptr));
    ScanRequest hreq;
    hreq.paths = {t.path.string()};
    hreq.ioc_xml = {ioc_xml("hash", ind("OR", item("FileItem/Md5sum", "is", d.md5, "md5")))};
    EngineSettings s = quiet_settings();
    s.limits.hash_max_bytes = 1000;
    r = run_scan(hreq, s, cancel, sink);
    CHECK(r.matches.empty());
    CHECK(r.hash_skipped_too_large == 1);
    s.limits.hash_max_bytes = 200ull << 20;
    r = run_scan(hreq, s, cancel, sink);
    CHECK(paths_of(r) == std::set<std::string>{(t.path / "x/evil.so").string()});
}

TEST_CASE("ioc_scanner engine quarantines matched files and reports isolation refusal") {
    TempDir t;
    write(t.path / "drop/implant.elf", "implant");
    write(t.path / "drop/implant.elf.txt", "near miss");
    ScanRequest req;
    req.paths = {t.path.string()};
    req.ioc_xml = {ioc_xml("q", ind("AND", item("FileItem/FullPath", "ends-with", "/drop/implant.elf")))};
    req.quarantine = true;
    req.isolate = true;
    std::atomic<bool> cancel{false};
    FakeSink sink;
    sink.isolate_error = "plugin isolation is disabled";
    ScanReport r = run_scan(req, quiet_settings(), cancel, sink);
    REQUIRE(sink.quarantined.size() == 1);
    CHECK(sink.quarantined[0] == (t.path / "drop/implant.elf").string());
    CHECK_FALSE(fs::exists(t.path / "drop/implant.elf"));
    CHECK(fs::exists(t.path / "drop/implant.elf.txt"));
    REQUIRE(r.actions.size() == 2);
    CHECK(r.actions[0].action == "quarantine");
    CHECK(r.actions[0].ok);
    CHECK(r.actions[1].action == "isolate");
    CHECK_FALSE(r.actions[1].ok);
    CHECK(r.actions[1].error == "plugin isolation is disabled");
    CHECK(sink.done.size() == 2);
}

TEST_CASE("ioc_scanner engine matches a listening port and its process handle") {
    uint16_t listening_port = 0;
    const int fd = vigil::testing::loopback_tcp_socket(listening_port, 1);
    REQUIRE(fd >= 0);
    const int port = listening_port;

    ScanRequest req;
    req.documents.files = false;
    req.ioc_xml = {
        ioc_xml("port", ind("AND", item("PortItem/localPort", "is", std::to_string(port), "int") +
                                       item("PortItem/localIP", "is", "127.0.0.0/8", "IP") +
                                       item("PortItem/state", "is", "LISTEN"))),
        ioc_xml("near", ind("AND", item("PortItem/localPort", "is", std::to_string(port + 1), "int") +
                                       item("PortItem/state", "is", "LISTEN") +
                                       item("PortItem/pid", "is", std::to_string(getpid()), "int"))),
        ioc_xml("handle", ind("AND", item("ProcessItem/pid", "is", std::to_string(getpid()), "int") +
                                         item("ProcessItem/HandleList/Handle/SocketLocalPort", "is",
                                              std::to_string(port), "int")))};
    // An open file shows up as a handle of this process.
    TempDir t;
    write(t.path / "held.log", "x");
    int held = ::open((t.path / "held.log").c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(held >= 0);
    req.ioc_xml.push_back(ioc_xml(
        "file-handle", ind("AND", item("ProcessItem/pid", "is", std::to_string(getpid()), "int") +
                                      item("ProcessItem/HandleList/Handle/Name", "ends-with", "/held.log") +
                                      item("ProcessItem/HandleList/Handle/Type", "is", "file"))));
    req.ioc_xml.push_back(
        ioc_xml("mapped",
                ind("AND", item("ProcessItem/pid", "is", std::to_string(getpid()), "int") +
                               item("ProcessItem/SectionList/MemorySection/Name", "matches", "/libc[.-]"))));
    std::atomic<bool> cancel{false};
    FakeSink sink;
    ScanReport r = run_scan(req, quiet_settings(), cancel, sink);
    close(fd);
    close(held);
    std::set<std::string> ids;
    for (const auto& m : r.matches) ids.insert(r.iocs[m.ioc].id);
    CHECK(ids == std::set<std::string>{"port", "handle", "file-handle", "mapped"});
    for (const auto& m : r.matches)
        if (r.iocs[m.ioc].id == "port") {
            REQUIRE(m.evidence.size() == 1);
            CHECK(m.evidence[0].pid == getpid());
            CHECK(m.evidence[0].object.find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
        }
}

TEST_CASE("ioc_scanner engine reports load errors, warnings and cancellation") {
    ScanRequest req;
    req.ioc_xml = {"<OpenIOC><broken",
                   ioc_xml("w", ind("OR", item("RegistryItem/Path", "contains", "Run") +
                                              item("SystemInfoItem/hostname", "matches", ".")))};
    req.documents.files = false;
    std::atomic<bool> cancel{false};
    FakeSink sink;
    ScanReport r = run_scan(req, quiet_settings(), cancel, sink);
    CHECK(r.status == "completed");
    REQUIRE(r.load_errors.size() == 1);
    CHECK(r.load_errors[0].source == "inline #1");
    CHECK(r.matches.size() == 1);  // every host has a hostname
    const std::string json = report_json(r);
    CHECK(json.find("RegistryItem/Path") != std::string::npos);

    req.ioc_xml = {"<nope/>"};
    r = run_scan(req, quiet_settings(), cancel, sink);
    CHECK(r.status == "failed");
    CHECK(r.error.find("inline #1:1: root element <nope>") != std::string::npos);

    req.ioc_xml = {ioc_xml("h", ind("OR", item("FileItem/FileName", "is", "x")))};
    req.path_hint_regex = "(unclosed";
    r = run_scan(req, quiet_settings(), cancel, sink);
    CHECK(r.status == "failed");
    CHECK(r.error.find("path_hint_regex: invalid regular expression") == 0);
    req.path_hint_regex.clear();

    req.ioc_xml = {ioc_xml("c", ind("OR", item("FileItem/FileName", "is", "x")))};
    req.documents.files = true;
    req.paths = {"/usr"};
    cancel = true;
    r = run_scan(req, quiet_settings(), cancel, sink);
    CHECK(r.status == "canceled");
}

TEST_CASE("ioc_scanner collectors read hosts, resolver, passwd and group") {
    TempDir t;
    write(t.path / "hosts",
          "127.0.0.1 localhost\n10.9.8.7 c2.evil.example alias # comment\n::1 ip6-localhost\n");
    write(t.path / "resolv.conf", "nameserver 192.0.2.53\nsearch corp.example\n");
    write(t.path / "passwd",
          "root:x:0:0:root:/root:/bin/bash\nmallory:x:1001:1001:Mal Lory,,,:/home/mallory:/bin/zsh\n");
    write(t.path / "group", "root:x:0:\nmallory:x:1001:\nsudo:x:27:mallory\n");
    CollectOptions o;
    o.etc = t.path.string();
    auto dns = collect_dns(o);
    CHECK(dns.size() == 6);
    bool found = false;
    for (const auto& r : dns)
        if (r.has(TermId::DnsRecordDataIpv4)) {
            for (const auto& f : r.fields)
                if (f.first == TermId::DnsHost && f.second == "c2.evil.example") found = true;
        }
    CHECK(found);
    auto users = collect_users(o);
    REQUIRE(users.size() == 2);
    std::multiset<std::string> groups;
    for (const auto& f : users[1].fields)
        if (f.first == TermId::UserGroupname) groups.insert(f.second);
    CHECK(groups == std::multiset<std::string>{"mallory", "sudo"});
    bool full = false;
    for (const auto& f : users[1].fields) full |= f.first == TermId::UserFullname && f.second == "Mal Lory";
    CHECK(full);

    auto sys = collect_system_info(CollectOptions{});
    REQUIRE(sys.size() == 1);
    char host[256] = {0};
    gethostname(host, sizeof host - 1);
    bool h = false;
    for (const auto& f : sys[0].fields) h |= f.first == TermId::SysHostname && f.second == host;
    CHECK(h);
    CHECK_FALSE(collect_routes(CollectOptions{}).empty());
    // Neighbour entries: at least those of /proc/net/arp (IPv6 ones come from rtnetlink).
    size_t arp_lines = 0;
    {
        std::ifstream in("/proc/net/arp");
        std::string line;
        while (std::getline(in, line)) ++arp_lines;
    }
    CHECK(collect_arp(CollectOptions{}).size() + 1 >= arp_lines);

    std::string ip;
    int port = 0;
    CHECK(decode_proc_address("0100007F:1F90", false, ip, port));
    CHECK(ip == "127.0.0.1");
    CHECK(port == 8080);
    CHECK(decode_proc_address("00000000000000000000000001000000:0016", true, ip, port));
    CHECK(ip == "::1");
    CHECK(port == 22);

    write(t.path / "units/evil.service",
          "[Unit]\nDescription=Totally legit\n[Service]\nExecStart=-/opt/evil/bin/agent --c2 "
          "x\nUser=nobody\n[Install]\nWantedBy=multi-user.target\n");
    fs::create_directories(t.path / "units/multi-user.target.wants");
    fs::create_symlink(t.path / "units/evil.service", t.path / "units/multi-user.target.wants/evil.service");
    CollectOptions so;
    so.unit_dirs = {(t.path / "units").string()};
    so.query_systemctl = false;
    auto svcs = collect_services(so);
    REQUIRE(svcs.size() == 1);
    std::map<TermId, std::string> f;
    for (const auto& kv : svcs[0].fields) f[kv.first] = kv.second;
    CHECK(f[TermId::SvcName] == "evil.service");
    CHECK(f[TermId::SvcPath] == "/opt/evil/bin/agent");
    CHECK(f[TermId::SvcArguments] == "--c2 x");
    CHECK(f[TermId::SvcMode] == "enabled");
    CHECK(f[TermId::SvcStartedAs] == "nobody");
}

TEST_CASE("ioc_scanner scan arguments: documented forms and clear errors") {
    bool wait = false;
    ScanRequest r = parse_scan_args(
        R"({"args":["/a.ioc","/b.ioc"],"path":"/srv","actions":["report","quarantine"]})", wait);
    CHECK(wait);
    CHECK(r.ioc_files == std::vector<std::string>{"/a.ioc", "/b.ioc"});
    CHECK(r.paths == std::vector<std::string>{"/srv"});
    CHECK(r.quarantine);
    CHECK_FALSE(r.terminate);
    r = parse_scan_args(
        R"({"ioc_xml":"<x/>","paths":["/a","/b"],"documents":{"files":false,"arp":false},"wait":false,
                           "scan_other_mount_namespaces":true,"exclusions":["/a/b"],"path_hint_regex":"\\.so$"})",
        wait);
    CHECK_FALSE(wait);
    CHECK_FALSE(r.documents.files);
    CHECK_FALSE(r.documents.arp);
    CHECK(r.documents.processes);
    CHECK(r.other_mount_namespaces);
    CHECK(r.exclusions.size() == 1);
    auto error = [](const char* json) {
        bool w;
        try {
            parse_scan_args(json, w);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(error(R"({"args":["rel.ioc"]})").find("not an absolute path") != std::string::npos);
    CHECK(error(R"({"args":["/a.ioc"],"actions":"nuke"})").find("unknown action \"nuke\"") !=
          std::string::npos);
    CHECK(error(R"({"args":["/a.ioc"],"pathz":"/"})").find("unknown argument \"pathz\"") !=
          std::string::npos);
    CHECK(error(R"({"args":["/a.ioc"],"documents":{"registry":true}})").find("unknown document switch") !=
          std::string::npos);
    CHECK(error(R"({})").find("no IOC given") != std::string::npos);
    CHECK(error(R"({"args":)").find("not valid JSON") != std::string::npos);
}

TEST_CASE("ioc_scanner engine: file times, owner and permissions") {
    TempDir t;
    write(t.path / "old.bin", "old");
    write(t.path / "new.bin", "new");
    timespec ts[2] = {{0, UTIME_NOW}, {981173106, 0}};  // atime now (a reader resets an old one), mtime 2001
    REQUIRE(utimensat(AT_FDCWD, (t.path / "old.bin").c_str(), ts, 0) == 0);
    fs::permissions(t.path / "old.bin", fs::perms(0750));
    ScanRequest req;
    req.paths = {t.path.string()};
    req.ioc_xml = {ioc_xml(
        "times", ind("AND", item("FileItem/Modified", "is", "2001-02-03T04:05:06Z", "date") +
                                item("FileItem/Accessed", "greater-than", "2020-01-01T00:00:00Z", "date") +
                                item("FileItem/Permissions", "is", "750", "int") +
                                item("FileItem/Username", "is", "root") +
                                item("FileItem/SizeInBytes", "is", "1 TO 3", "int")))};
    std::atomic<bool> cancel{false};
    FakeSink sink;
    ScanReport r = run_scan(req, quiet_settings(), cancel, sink);
    CHECK(paths_of(r) == std::set<std::string>{(t.path / "old.bin").string()});
    CHECK(r.files_hashed == 0);
}

TEST_CASE("ioc_scanner engine lowers the priority of its threads") {
    TempDir t;
    write(t.path / "f", "x");
    struct NiceSink : FakeSink {
        int seen = -100;
        void progress(const Progress& p) override {
            if (p.phase == "files") seen = getpriority(PRIO_PROCESS, id_t(gettid()));
        }
    } sink;
    ScanRequest req;
    req.paths = {t.path.string()};
    req.ioc_xml = {ioc_xml("n", ind("OR", item("FileItem/FileName", "is", "f")))};
    EngineSettings s = quiet_settings();
    s.nice = 7;
    s.cpu_limit_percent = 50;
    std::thread th([&] {
        std::atomic<bool> cancel{false};
        ScanReport r = run_scan(req, s, cancel, sink);
        CHECK(r.matches.size() == 1);
    });
    th.join();
    CHECK(sink.seen == 7);
}

TEST_CASE("ioc_scanner engine scans other mount namespaces through /proc/PID/root") {
    if (geteuid() != 0 || system("command -v unshare >/dev/null 2>&1") != 0) return;
    TempDir t;
    const fs::path mnt = t.path / "mnt", ready = t.path / "ready";
    fs::create_directories(mnt);
    pid_t pid = fork();
    if (pid == 0) {
        const std::string script = "mount -t tmpfs none '" + mnt.string() + "' && echo payload > '" +
                                   mnt.string() + "/implant.bin' && touch '" + ready.string() +
                                   "' && exec sleep 60";
        execlp("unshare", "unshare", "--mount", "--propagation", "private", "sh", "-c", script.c_str(),
               nullptr);
        _exit(127);
    }
    for (int i = 0; i < 300 && !fs::exists(ready); ++i) usleep(10000);
    if (!fs::exists(ready)) {  // no permission for namespaces here: nothing to test
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        return;
    }
    ScanRequest req;
    req.paths = {mnt.string()};
    req.ioc_xml = {ioc_xml("ns", ind("OR", item("FileItem/FileName", "is", "implant.bin")))};
    req.documents.processes = false;
    std::atomic<bool> cancel{false};
    FakeSink sink;
    ScanReport r = run_scan(req, quiet_settings(), cancel, sink);
    CHECK(r.matches.empty());  // the host's view of the directory is empty
    req.other_mount_namespaces = true;
    r = run_scan(req, quiet_settings(), cancel, sink);
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    REQUIRE(r.matches.size() == 1);
    const Evidence& e = r.matches[0].evidence.at(0);
    CHECK(e.path == (mnt / "implant.bin").string());
    CHECK(!e.mount_ns.empty());
    CHECK(e.open_path.rfind("/proc/", 0) == 0);
    CHECK(r.mount_namespaces >= 1);
}

TEST_CASE("ioc_scanner engine runs every loadable corpus IOC against this host") {
    const fs::path dir = fs::path(VIGIL_CORPUS_DIR) / "openioc";
    ScanRequest req;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.path().extension() == ".ioc") req.ioc_files.push_back(e.path().string());
    req.paths = {dir.string()};
    std::atomic<bool> cancel{false};
    FakeSink sink;
    ScanReport r = run_scan(req, quiet_settings(), cancel, sink);
    CHECK(r.status == "completed");
    CHECK(r.iocs.size() == 49);
    CHECK(r.load_errors.size() == 1);
    CHECK(r.files_scanned >= 50);
    CHECK(r.items[int(Document::Process)] > 0);
    CHECK(r.items[int(Document::Dns)] > 0);
    size_t warnings = 0;
    for (const auto& c : r.iocs) warnings += c.warnings.size();
    CHECK(warnings > 0);
}

TEST_CASE("ioc_scanner file view: digests and strings come from one read") {
    TempDir t;
    const char data[] = "\x01\x02hello world\0zz\0second string here";
    write(t.path / "f.bin", std::string(data, sizeof data - 1));
    FileEntry e{(t.path / "f.bin").string(), (t.path / "f.bin").string(), ""};
    FileNeeds needs;
    needs.sha256 = needs.md5 = needs.strings = true;
    FileLimits limits;
    FileCounters c;
    FileView v(e, needs, limits, c, nullptr);
    std::vector<std::string_view> out;
    REQUIRE(v.values(TermId::FileStringListString, out));
    CHECK(out == std::vector<std::string_view>{"hello world", "second string here"});
    CHECK(c.hashed == 1);
    CHECK(c.strings_read == 1);
    out.clear();
    REQUIRE(v.values(TermId::FileMd5sum, out));
    REQUIRE(v.values(TermId::FileSha256sum, out));
    CHECK(out.size() == 2);
    CHECK(c.hashed == 1);  // not read again
    Digests d;
    REQUIRE(hash_file(e.open_path, true, true, true, 1 << 20, d, nullptr, nullptr, nullptr));
    CHECK(out[0] == d.md5);
    CHECK(out[1] == d.sha256);
    CHECK(d.sha1.size() == 40);
    // Only strings needed: no hashing at all.
    FileNeeds only;
    only.strings = true;
    FileCounters c2;
    FileView v2(e, only, limits, c2, nullptr);
    out.clear();
    REQUIRE(v2.values(TermId::FileStringListString, out));
    CHECK(out.size() == 2);
    CHECK(c2.hashed == 0);
}
