#include "scan_engine.hpp"

#include <pwd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "eicar.hpp"
#include "file_type.hpp"

namespace file_threat {

const char* outcome_name(ScanOutcome o) {
    switch (o) {
    case ScanOutcome::Clean: return "clean";
    case ScanOutcome::Infected: return "infected";
    case ScanOutcome::SkippedTooLarge: return "skipped_too_large";
    case ScanOutcome::TimedOut: return "timed_out";
    case ScanOutcome::Cancelled: return "cancelled";
    case ScanOutcome::Error: return "error";
    }
    return "?";
}

std::shared_ptr<const Engines> Engines::load(const std::vector<std::string>& yara_sources,
                                             const std::vector<std::string>& hash_lists, bool eicar) {
    auto e = std::make_shared<Engines>();
    e->eicar = eicar;
    std::string problems;
    for (const auto& list : hash_lists) {
        auto errors = e->hashes.add_file(list);
        const size_t shown = std::min<size_t>(errors.size(), 10);
        for (size_t i = 0; i < shown; ++i) problems += "\n  " + errors[i].message();
        if (errors.size() > shown)
            problems += "\n  ... and " + std::to_string(errors.size() - shown) + " more bad lines in " + list;
    }
    if (!problems.empty()) throw std::runtime_error("hash list errors:" + problems);
    e->yara = YaraRules::compile(yara_sources);
    return e;
}

namespace {

// The file content, mapped (or read when the file system cannot mmap).
class Content {
public:
    bool load(int fd, uint64_t size, std::string& error) {
        if (size == 0) return true;
        void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            map_ = p;
            size_ = size;
            ::madvise(p, size, MADV_SEQUENTIAL);
            return true;
        }
        buf_.resize(size);
        size_t got = 0;
        while (got < size) {
            ssize_t n = ::pread(fd, buf_.data() + got, size - got, off_t(got));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                error = std::string("cannot read file: ") + std::strerror(errno);
                return false;
            }
            if (n == 0) break;  // truncated meanwhile: scan what is there
            got += size_t(n);
        }
        buf_.resize(got);
        return true;
    }
    ~Content() {
        if (map_) ::munmap(map_, size_);
    }
    std::string_view view() const {
        return map_ ? std::string_view(static_cast<const char*>(map_), size_) : std::string_view(buf_);
    }

private:
    void* map_ = nullptr;
    size_t size_ = 0;
    std::string buf_;
};

std::string owner_name(uid_t uid) {
    char buf[1024];
    struct passwd pw, *res = nullptr;
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res) return res->pw_name;
    return std::to_string(uid);
}

bool stop_requested(const ScanRequest& req, ScanReport& r) {
    if (req.cancel && req.cancel->load(std::memory_order_relaxed)) {
        r.outcome = ScanOutcome::Cancelled;
        return true;
    }
    if (Clock::now() >= req.deadline) {
        r.outcome = ScanOutcome::TimedOut;
        return true;
    }
    return false;
}

uint32_t yara_severity(int score) {
    if (score == 0 || score >= 70) return 3;  // high
    return 2;                                 // medium
}

}  // namespace

ScanReport scan_file(const Engines& engines, const ScanRequest& req) {
    ScanReport r;
    try {
        const uint64_t size = uint64_t(req.st.st_size);
        if (req.max_size && size > req.max_size) {
            r.outcome = ScanOutcome::SkippedTooLarge;
            return r;
        }
        // TEST ONLY: simulate a slow engine, in small slices so cancel and the
        // deadline are honoured promptly.
        if (req.test_delay_ms) {
            const auto until = Clock::now() + std::chrono::milliseconds(req.test_delay_ms);
            while (Clock::now() < until) {
                if (stop_requested(req, r)) return r;
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        }
        if (stop_requested(req, r)) return r;

        Content content;
        if (!content.load(req.fd, size, r.error)) {
            r.outcome = ScanOutcome::Error;
            return r;
        }
        const std::string_view data = content.view();

        if (engines.eicar && is_eicar(data)) {
            Detection d;
            d.engine = "eicar";
            d.rule = "EICAR-Test-File";
            d.title = "EICAR anti-virus test file";
            d.description = "The standard EICAR test string (built-in detection)";
            d.severity = 2;
            r.detections.push_back(std::move(d));
        }

        if (req.want_digests || engines.hashes.size() > 0) {
            if (stop_requested(req, r)) return r;
            r.digests = digest_bytes(data);
            const std::string* comment = nullptr;
            std::string which;
            if ((comment = engines.hashes.find_sha256(r.digests->sha256))) which = "SHA-256";
            else if ((comment = engines.hashes.find_sha1(r.digests->sha1))) which = "SHA-1";
            else if ((comment = engines.hashes.find_md5(r.digests->md5))) which = "MD5";
            if (comment) {
                Detection d;
                d.engine = "hash";
                d.rule = which == "SHA-256" ? to_hex(r.digests->sha256)
                         : which == "SHA-1" ? to_hex(r.digests->sha1)
                                            : to_hex(r.digests->md5);
                d.title = comment->empty() ? "Known malicious file (" + which + " hash list)" : *comment;
                d.description = "File " + which + " is on a configured hash list";
                d.severity = 3;
                r.detections.push_back(std::move(d));
            }
        }

        if (engines.yara && !engines.yara->empty()) {
            if (stop_requested(req, r)) return r;
            YaraRules::Externals ext;
            const auto slash = req.path.rfind('/');
            ext.filename = slash == std::string::npos ? req.path : req.path.substr(slash + 1);
            ext.filepath = slash == std::string::npos ? "" : req.path.substr(0, slash);
            ext.extension = file_extension(req.path);
            ext.filetype = detect_file_type(data.substr(0, 16));
            ext.owner = owner_name(req.st.st_uid);
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(req.deadline - Clock::now());
            const int timeout_s = req.deadline == Clock::time_point::max()
                                      ? 3600
                                      : int(std::max<int64_t>(1, (left.count() + 999) / 1000));
            std::vector<YaraRules::Match> matches;
            switch (engines.yara->scan(data, ext, timeout_s, matches, r.error)) {
            case YaraRules::Status::Ok: break;
            case YaraRules::Status::Timeout: r.outcome = ScanOutcome::TimedOut; return r;
            case YaraRules::Status::Error: r.outcome = ScanOutcome::Error; return r;
            }
            for (auto& m : matches) {
                Detection d;
                d.engine = "yara";
                d.rule = m.rule;
                d.title = m.description.empty() ? m.rule : m.description;
                d.description = m.description;
                d.author = m.author;
                d.tags = m.tags;
                d.severity = yara_severity(m.score);
                r.detections.push_back(std::move(d));
            }
        }

        if (!r.detections.empty()) {
            r.outcome = ScanOutcome::Infected;
            if (!r.digests) r.digests = digest_bytes(data);
        }
    } catch (const std::exception& e) {
        r.outcome = ScanOutcome::Error;
        r.error = e.what();
    }
    return r;
}

}  // namespace file_threat
