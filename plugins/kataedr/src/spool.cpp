#include "spool.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>
#include <vigil/common/atomic_file.hpp>
#include <vigil/common/small_file.hpp>


namespace vigil::kataedr {
namespace {

bool parse_name(std::string_view name, Spool::Entry& e) {
    // "<20 digits>-<digits>.gz"
    if (name.size() < 25 || name.substr(name.size() - 3) != ".gz" || name[20] != '-') return false;
    auto a = std::from_chars(name.data(), name.data() + 20, e.batch_seq);
    if (a.ec != std::errc() || a.ptr != name.data() + 20) return false;
    auto b = std::from_chars(name.data() + 21, name.data() + name.size() - 3, e.events);
    return b.ec == std::errc() && b.ptr == name.data() + name.size() - 3;
}

// A write that never completed: the temporary of common::write_file_atomic
// (".NAME.tmp-XXXXXX"), or NAME.tmp of versions that wrote through a fixed name.
bool unfinished_write(std::string_view name) {
    if (name.size() > 4 && name.substr(name.size() - 4) == ".tmp") return true;
    return name.size() > 1 && name[0] == '.' && name.find(".tmp-") != std::string_view::npos;
}

}  // namespace

Spool::Spool(std::string dir, uint64_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {
    if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST)
        throw std::runtime_error("cannot create spool directory " + dir_ + ": " + std::strerror(errno));
    DIR* d = ::opendir(dir_.c_str());
    if (!d) throw std::runtime_error("cannot open spool directory " + dir_ + ": " + std::strerror(errno));
    std::vector<Entry> found;
    while (dirent* de = ::readdir(d)) {
        std::string_view name = de->d_name;
        std::string full = dir_ + "/" + std::string(name);
        if (unfinished_write(name)) {
            ::unlink(full.c_str());
            continue;
        }
        Entry e;
        if (!parse_name(name, e)) continue;
        struct stat st {};
        if (::stat(full.c_str(), &st) != 0) continue;
        e.bytes = uint64_t(st.st_size);
        found.push_back(e);
    }
    ::closedir(d);
    std::sort(found.begin(), found.end(),
              [](const Entry& x, const Entry& y) { return x.batch_seq < y.batch_seq; });
    for (const auto& e : found) {
        entries_.push_back(e);
        bytes_ += e.bytes;
        events_ += e.events;
    }
    if (auto c = vigil::common::read_small_file(dir_ + "/dropped", {.max_bytes = 128})) {
        unsigned long long ev = 0, ba = 0;
        if (std::sscanf(c->c_str(), "%llu %llu", &ev, &ba) == 2) {
            dropped_events_ = ev;
            dropped_batches_ = ba;
        }
    }
    std::lock_guard<std::mutex> g(mu_);
    while (bytes_ > max_bytes_ && !entries_.empty()) drop_front_locked();
}

std::string Spool::path_of(const Entry& e) const {
    char name[64];
    std::snprintf(name, sizeof name, "%020llu-%u.gz", static_cast<unsigned long long>(e.batch_seq), e.events);
    return dir_ + "/" + name;
}

void Spool::save_counters_locked() {
    try {
        vigil::common::write_file_atomic(dir_ + "/dropped",
                           std::to_string(dropped_events_) + " " + std::to_string(dropped_batches_) + "\n");
    } catch (...) {
        // The in-memory count is still reported; persistence is best effort.
    }
}

void Spool::drop_front_locked() {
    Entry e = entries_.front();
    entries_.pop_front();
    ::unlink(path_of(e).c_str());
    bytes_ -= e.bytes;
    events_ -= e.events;
    dropped_events_ += e.events;
    ++dropped_batches_;
    save_counters_locked();
}

void Spool::push(uint64_t batch_seq, uint32_t events, std::string_view body) {
    std::lock_guard<std::mutex> g(mu_);
    Entry e{batch_seq, events, body.size()};
    if (!entries_.empty() && batch_seq <= entries_.back().batch_seq)
        throw std::logic_error("spool: batch_seq " + std::to_string(batch_seq) +
                               " is not above the newest spooled " +
                               std::to_string(entries_.back().batch_seq));
    if (e.bytes > max_bytes_) {
        // Larger than the whole spool: it can never fit; drop it (counted).
        dropped_events_ += events;
        ++dropped_batches_;
        save_counters_locked();
        return;
    }
    while (!entries_.empty() && bytes_ + e.bytes > max_bytes_) drop_front_locked();
    vigil::common::write_file_atomic(path_of(e), body);
    entries_.push_back(e);
    bytes_ += e.bytes;
    events_ += e.events;
}

std::optional<Spool::Entry> Spool::front() const {
    std::lock_guard<std::mutex> g(mu_);
    if (entries_.empty()) return std::nullopt;
    return entries_.front();
}

std::string Spool::read(const Entry& e) const {
    auto body = vigil::common::read_small_file(path_of(e), {.max_bytes = size_t(1) << 31});
    if (!body) throw std::runtime_error("spooled batch vanished: " + path_of(e));
    return *body;
}

void Spool::pop(uint64_t batch_seq) {
    std::lock_guard<std::mutex> g(mu_);
    if (entries_.empty() || entries_.front().batch_seq != batch_seq) return;
    Entry e = entries_.front();
    entries_.pop_front();
    ::unlink(path_of(e).c_str());
    bytes_ -= e.bytes;
    events_ -= e.events;
}

void Spool::discard(uint64_t batch_seq) {
    std::lock_guard<std::mutex> g(mu_);
    if (entries_.empty() || entries_.front().batch_seq != batch_seq) return;
    drop_front_locked();
}

uint64_t Spool::newest_seq() const {
    std::lock_guard<std::mutex> g(mu_);
    return entries_.empty() ? 0 : entries_.back().batch_seq;
}

bool Spool::empty() const {
    std::lock_guard<std::mutex> g(mu_);
    return entries_.empty();
}
size_t Spool::batches() const {
    std::lock_guard<std::mutex> g(mu_);
    return entries_.size();
}
uint64_t Spool::bytes() const { return locked(bytes_); }
uint64_t Spool::events() const { return locked(events_); }
uint64_t Spool::dropped_events() const { return locked(dropped_events_); }
uint64_t Spool::dropped_batches() const { return locked(dropped_batches_); }

}  // namespace vigil::kataedr
