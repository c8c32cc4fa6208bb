#include "content_reader.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil::file_threat {

namespace {

constexpr uint64_t kHardCap = 1ull << 30;  // max_content 0 ("no limit") still never holds more
constexpr size_t kChunk = 1 << 20;

ReadStatus stop_status(const ReadLimits& l) {
    if (l.cancel && l.cancel->load(std::memory_order_relaxed)) return ReadStatus::Cancelled;
    if (Clock::now() >= l.deadline) return ReadStatus::TimedOut;
    return ReadStatus::Ok;
}

// Fills w.bytes with up to `len` bytes from w.offset; a short file is not an error.
ReadStatus read_window(int fd, uint64_t len, const ReadLimits& l, ContentWindow& w, std::string& error) {
    w.bytes.resize(len);
    size_t got = 0;
    while (got < len) {
        if (auto s = stop_status(l); s != ReadStatus::Ok) return s;
        const size_t want = size_t(std::min<uint64_t>(len - got, kChunk));
        ssize_t n = ::pread(fd, w.bytes.data() + got, want, off_t(w.offset + got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            error = std::string("cannot read file: ") + std::strerror(errno);
            return ReadStatus::Error;
        }
        if (n == 0) break;  // truncated meanwhile
        got += size_t(n);
    }
    w.bytes.resize(got);
    return ReadStatus::Ok;
}

}  // namespace

ReadStatus read_content(int fd, uint64_t size, const ReadLimits& limits, Content& out, std::string& error) {
    out = {};
    out.file_size = size;
    const uint64_t cap = limits.max_content == 0 ? kHardCap : std::min(limits.max_content, kHardCap);
    out.partial = size > cap;
    const uint64_t head = out.partial ? cap / 2 : size;
    out.windows.push_back({0, {}});
    if (auto s = read_window(fd, head, limits, out.windows.back(), error); s != ReadStatus::Ok) return s;
    if (out.windows.back().bytes.size() < head) {
        out.shrank = true;
        return ReadStatus::Ok;
    }
    if (!out.partial) return ReadStatus::Ok;
    const uint64_t tail = cap - head;
    out.windows.push_back({size - tail, {}});
    if (auto s = read_window(fd, tail, limits, out.windows.back(), error); s != ReadStatus::Ok) return s;
    if (out.windows.back().bytes.size() < tail) out.shrank = true;
    return ReadStatus::Ok;
}

ReadStatus file_digests(int fd, const Content& content, const ReadLimits& limits, Digests& out, std::string& error) {
    if (!content.partial && !content.windows.empty()) {
        out = digest_bytes(content.windows.front().bytes);
        return ReadStatus::Ok;
    }
    DigestStream ds;
    std::string buf(kChunk, '\0');
    uint64_t off = 0;
    for (;;) {
        if (auto s = stop_status(limits); s != ReadStatus::Ok) return s;
        ssize_t n = ::pread(fd, buf.data(), buf.size(), off_t(off));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            error = std::string("cannot read file: ") + std::strerror(errno);
            return ReadStatus::Error;
        }
        if (n == 0) break;
        ds.update(std::string_view(buf.data(), size_t(n)));
        off += uint64_t(n);
    }
    out = ds.finish();
    return ReadStatus::Ok;
}

}  // namespace vigil::file_threat
