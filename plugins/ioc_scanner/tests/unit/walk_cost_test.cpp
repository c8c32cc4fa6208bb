// What a scan costs per file: a file whose name or path decides the IOCs is
// never stat()ed or opened (checked by the engine's own counters and, for
// opens, independently by inotify IN_OPEN events), and evaluating name-only
// IOCs on the walking thread gives the same results as the worker pool on
// every corpus IOC.
#include <doctest/doctest.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "engine_test_util.hpp"
#include "scan_engine.hpp"

using namespace vigil::ioc_scanner;
using namespace vigil::ioc_scanner::test;
namespace fs = std::filesystem;

namespace {

// Names of files opened in the watched directories since the watch began.
class OpenWatch {
public:
    explicit OpenWatch(const std::vector<fs::path>& dirs) : fd_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
        REQUIRE(fd_ >= 0);
        for (const auto& d : dirs) REQUIRE(inotify_add_watch(fd_, d.c_str(), IN_OPEN) >= 0);
    }
    ~OpenWatch() { ::close(fd_); }
    std::multiset<std::string> opened() {
        std::multiset<std::string> out;
        alignas(inotify_event) char buf[8192];
        ssize_t n;
        while ((n = ::read(fd_, buf, sizeof buf)) > 0)
            for (ssize_t off = 0; off < n;) {
                auto* ev = reinterpret_cast<inotify_event*>(buf + off);
                if (ev->len > 0 && !(ev->mask & IN_ISDIR)) out.insert(ev->name);  // not the walk's opendir
                off += ssize_t(sizeof(inotify_event) + ev->len);
            }
        return out;
    }

private:
    int fd_;
};

struct Tree {
    TempDir t;
    Tree() {
        for (int i = 0; i < 20; ++i) write(t.path / "a" / ("f" + std::to_string(i) + ".dat"), "data");
        write(t.path / "b/implant.bin", "payload");
        chmod((t.path / "b/implant.bin").c_str(), 0);  // an open would need CAP_DAC_OVERRIDE
        REQUIRE(mkfifo((t.path / "a/implant.bin").c_str(), 0600) == 0);  // never a regular file
    }
    std::vector<fs::path> dirs() const { return {t.path, t.path / "a", t.path / "b"}; }
};

ScanReport scan(const std::string& criteria, const fs::path& dir, bool quarantine = false,
                bool force_workers = false) {
    ScanRequest req;
    req.paths = {dir.string()};
    req.ioc_xml = {ioc_xml("cost", criteria)};
    req.documents = DocumentSwitches{true, false, false, false, false, false, false, false};
    req.quarantine = quarantine;
    EngineSettings s = quiet_settings();
    s.force_file_workers = force_workers;
    std::atomic<bool> cancel{false};
    FakeSink sink;
    return run_scan(req, s, cancel, sink);
}

}  // namespace

TEST_CASE("ioc_scanner walk: a name-only scan neither stats nor opens any file") {
    Tree tree;
    OpenWatch watch(tree.dirs());
    const std::string names = ind("OR", item("FileItem/FileName", "is", "implant.bin") +
                                            item("FileItem/FullPath", "contains", "/nowhere/") +
                                            item("FileItem/FileExtension", "is", "exe"));
    for (bool workers : {false, true}) {
        CAPTURE(workers);
        ScanReport r = scan(names, tree.t.path, false, workers);
        CHECK(r.status == "completed");
        CHECK(r.files_scanned == 21);  // the FIFO is not a file to scan
        CHECK(paths_of(r) == std::set<std::string>{(tree.t.path / "b/implant.bin").string()});
        CHECK(r.files_stat == 0);
        CHECK(r.files_opened == 0);
    }
    CHECK(watch.opened().empty());
    // Quarantine pins the matched file by its identity: that one file, and only it, is stat()ed.
    ScanReport q = scan(names, tree.t.path, true);
    CHECK(q.files_stat == 1);
    CHECK(q.files_opened == 0);
}

TEST_CASE("ioc_scanner walk: when the name makes a hash term moot, only the named file is opened") {
    Tree tree;
    OpenWatch watch(tree.dirs());
    const std::string sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    ScanReport r = scan(ind("AND", item("FileItem/FileName", "is", "f3.dat") +
                                       item("FileItem/Sha256sum", "is", sha, "sha256")),
                        tree.t.path);
    CHECK(r.files_scanned == 21);
    CHECK(r.files_opened == 1);
    CHECK(r.files_hashed == 1);
    CHECK(r.files_stat == 1);  // the size limit is checked before reading
    CHECK(watch.opened() == std::multiset<std::string>{"f3.dat"});
    // A size term: one stat per file the name leaves undecided, no open.
    r = scan(ind("AND", item("FileItem/FileExtension", "is", "bin") +
                            item("FileItem/SizeInBytes", "greater-than", "1", "int")),
             tree.t.path);
    CHECK(r.files_stat == 1);
    CHECK(r.files_opened == 0);
    CHECK(paths_of(r) == std::set<std::string>{(tree.t.path / "b/implant.bin").string()});
}

TEST_CASE("ioc_scanner walk: walking-thread and worker evaluation agree on every corpus IOC") {
    const fs::path corpus = fs::path(VIGIL_CORPUS_DIR) / "openioc";
    // Plant a file for every FileName the corpus names, so name terms really match.
    TempDir t;
    std::vector<std::string> ioc_files;
    for (const auto& e : fs::recursive_directory_iterator(corpus))
        if (e.path().extension() == ".ioc") ioc_files.push_back(e.path().string());
    std::sort(ioc_files.begin(), ioc_files.end());
    size_t planted = 0;
    for (const auto& f : ioc_files) {
        ScanRequest one;
        one.ioc_files = {f};
        ScanReport loaded;
        load_iocs(one, loaded);
        for (const auto& c : loaded.iocs)
            for (const auto& l : c.leaves)
                if (l.term && l.term->id == TermId::FileFileName && !l.content.empty() &&
                    l.content.find('/') == std::string::npos && l.content.size() < 200) {
                    write(t.path / c.id.substr(0, 40) / l.content, "x");
                    ++planted;
                }
    }
    REQUIRE(planted > 0);
    size_t inline_iocs = 0, matched = 0;
    for (const auto& f : ioc_files) {
        CAPTURE(f);
        ScanRequest req;
        req.ioc_files = {f};
        req.paths = {t.path.string(), corpus.string()};
        req.documents = DocumentSwitches{true, false, false, false, false, false, false, false};
        std::map<std::string, std::set<std::string>> found[2];
        for (int workers = 0; workers < 2; ++workers) {
            EngineSettings s = quiet_settings();
            s.force_file_workers = workers == 1;
            std::atomic<bool> cancel{false};
            FakeSink sink;
            ScanReport r = run_scan(req, s, cancel, sink);
            for (const auto& m : r.matches)
                for (const auto& e : m.evidence) found[workers][r.iocs[m.ioc].id].insert(e.path);
            if (workers == 0 && !r.iocs.empty() && r.iocs[0].file_needs.names_only() &&
                r.iocs[0].uses(Document::File)) {
                ++inline_iocs;
                CHECK(r.files_opened == 0);
                CHECK(r.files_stat == 0);
            }
        }
        CHECK(found[0] == found[1]);
        matched += found[0].size();
    }
    MESSAGE("corpus IOCs evaluated on the walking thread: " << inline_iocs << ", matched: " << matched);
    CHECK(inline_iocs > 0);
    CHECK(matched > 0);
}
