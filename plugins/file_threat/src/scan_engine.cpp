#include "scan_engine.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <vigil/common/user_names.hpp>

#include "eicar.hpp"
#include "file_type.hpp"

namespace vigil::file_threat {

const char* outcome_name(ScanOutcome o) {
    switch (o) {
    case ScanOutcome::Clean: return "clean";
    case ScanOutcome::Infected: return "infected";
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

namespace {

ScanOutcome outcome_of(ReadStatus s) {
    switch (s) {
    case ReadStatus::TimedOut: return ScanOutcome::TimedOut;
    case ReadStatus::Cancelled: return ScanOutcome::Cancelled;
    case ReadStatus::Error: return ScanOutcome::Error;
    case ReadStatus::Ok: break;
    }
    return ScanOutcome::Clean;
}

Detection eicar_detection() {
    Detection d;
    d.engine = "eicar";
    d.rule = "EICAR-Test-File";
    d.title = "EICAR anti-virus test file";
    d.description = "The standard EICAR test string (built-in detection)";
    d.severity = 2;
    return d;
}

void match_hashes(const HashList& hashes, const Digests& digests, std::vector<Detection>& out) {
    const std::string* comment = nullptr;
    std::string which;
    if ((comment = hashes.find_sha256(digests.sha256))) which = "SHA-256";
    else if ((comment = hashes.find_sha1(digests.sha1))) which = "SHA-1";
    else if ((comment = hashes.find_md5(digests.md5))) which = "MD5";
    if (!comment) return;
    Detection d;
    d.engine = "hash";
    d.rule = which == "SHA-256" ? to_hex(digests.sha256) : which == "SHA-1" ? to_hex(digests.sha1) : to_hex(digests.md5);
    d.title = comment->empty() ? "Known malicious file (" + which + " hash list)" : *comment;
    d.description = "File " + which + " is on a configured hash list";
    d.severity = 3;
    out.push_back(std::move(d));
}

// YARA over the content windows; false (and r.outcome set) when it did not finish.
bool run_yara(const YaraRules& yara, const Content& content, const ScanRequest& req, ScanReport& r) {
    YaraRules::Externals ext;
    const auto slash = req.path.rfind('/');
    ext.filename = slash == std::string::npos ? req.path : req.path.substr(slash + 1);
    ext.filepath = slash == std::string::npos ? "" : req.path.substr(0, slash);
    ext.extension = file_extension(req.path);
    ext.filetype = detect_file_type(std::string_view(content.windows.front().bytes).substr(0, 16));
    ext.owner = vigil::common::user_name_or_id(req.st.st_uid);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(req.deadline - Clock::now());
    const int timeout_s =
        req.deadline == Clock::time_point::max() ? 3600 : int(std::max<int64_t>(1, (left.count() + 999) / 1000));
    std::vector<YaraRules::Block> blocks;
    for (const auto& w : content.windows) blocks.push_back({w.offset, w.bytes});
    std::vector<YaraRules::Match> matches;
    switch (yara.scan(blocks, content.file_size, ext, timeout_s, matches, r.error)) {
    case YaraRules::Status::Ok: break;
    case YaraRules::Status::Timeout: r.outcome = ScanOutcome::TimedOut; return false;
    case YaraRules::Status::Error: r.outcome = ScanOutcome::Error; return false;
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
    return true;
}

// TEST ONLY: a slow engine, in small slices so cancel and the deadline are honoured.
bool simulated_delay(const ScanRequest& req, ScanReport& r) {
    const auto until = Clock::now() + std::chrono::milliseconds(req.test_delay_ms);
    while (Clock::now() < until) {
        if (stop_requested(req, r)) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

}  // namespace

ScanReport scan_file(const Engines& engines, const ScanRequest& req) {
    ScanReport r;
    try {
        if (req.test_delay_ms && !simulated_delay(req, r)) return r;
        if (stop_requested(req, r)) return r;
        const uint64_t size = uint64_t(req.st.st_size);
        const bool yara = engines.yara && !engines.yara->empty();
        const bool eicar = engines.eicar && size <= kMaxEicarFileSize;
        const ReadLimits limits{req.max_size, req.deadline, req.cancel};
        Content content;
        content.file_size = size;
        // Content is read only for an engine that looks at it: EICAR-only
        // scans of large files read nothing but what the digests need.
        if (yara || eicar || req.want_digests || engines.hashes.size() > 0) {
            if (auto s = read_content(req.fd, size, limits, content, r.error); s != ReadStatus::Ok) {
                r.outcome = outcome_of(s);
                return r;
            }
        }
        r.partial = content.partial;
        r.shrank = content.shrank;
        if (eicar && !content.windows.empty() && is_eicar(content.windows.front().bytes))
            r.detections.push_back(eicar_detection());
        auto digest = [&] {
            Digests d;
            if (auto s = file_digests(req.fd, content, limits, d, r.error); s != ReadStatus::Ok) {
                r.outcome = outcome_of(s);
                return false;
            }
            r.digests = d;
            return true;
        };
        if (req.want_digests || engines.hashes.size() > 0) {
            if (!digest()) return r;
            match_hashes(engines.hashes, *r.digests, r.detections);
        }
        if (yara) {
            if (stop_requested(req, r) || !run_yara(*engines.yara, content, req, r)) return r;
        }
        if (!r.detections.empty()) {
            if (!r.digests && !digest()) r.digests = Digests{};  // out of time: reported with zero digests
            r.outcome = ScanOutcome::Infected;
        }
    } catch (const std::exception& e) {
        r.outcome = ScanOutcome::Error;
        r.error = e.what();
    }
    return r;
}

}  // namespace vigil::file_threat
