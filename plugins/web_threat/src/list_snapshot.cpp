#include "list_snapshot.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vigil/common/errno_text.hpp>

namespace vigil::web_threat {

struct SnapshotAccess {
    static void write_table(std::string& out, const FingerprintTable& t);
    static FingerprintTable read_table(std::string_view& in, size_t lists);
    static std::string write(const ListSet& set);
    static std::shared_ptr<const ListSet> read(std::string_view in);
};

namespace {

constexpr std::string_view kMagic("VWLSNAP1", 8);
constexpr unsigned kFormats = unsigned(ListFormat::loki_c2) + 1;

template <typename T>
void put(std::string& out, T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

void put_text(std::string& out, const std::string& s) {
    put(out, uint32_t(s.size()));
    out += s;
}

std::string_view take(std::string_view& in, size_t n, const char* what) {
    if (in.size() < n) throw SnapshotError(std::string("snapshot cut short in ") + what);
    const std::string_view head = in.substr(0, n);
    in.remove_prefix(n);
    return head;
}

template <typename T>
T get(std::string_view& in, const char* what) {
    T v;
    std::memcpy(&v, take(in, sizeof v, what).data(), sizeof v);
    return v;
}

std::string get_text(std::string_view& in, const char* what) {
    const auto n = get<uint32_t>(in, what);
    return std::string(take(in, n, what));
}

template <size_t N>
void put_bits(std::string& out, const std::bitset<N>& b) {
    for (size_t i = 0; i < N; ++i) out += char(b[i] ? 1 : 0);
}

template <size_t N>
void get_bits(std::string_view& in, std::bitset<N>& b) {
    const std::string_view bytes = take(in, N, "prefix lengths");
    for (size_t i = 0; i < N; ++i) b[i] = bytes[i] != 0;
}

void put_list(std::string& out, const ListInfo& l) {
    put_text(out, l.name);
    put_text(out, l.source);
    put(out, uint8_t(l.format));
    put(out, uint8_t(l.category));
    put(out, uint8_t(l.suffix));
    for (uint64_t n : {l.domains, l.urls, l.ips, l.invalid}) put(out, n);
}

ListInfo get_list(std::string_view& in) {
    ListInfo l;
    l.name = get_text(in, "a list's name");
    l.source = get_text(in, "a list's source");
    const auto format = get<uint8_t>(in, "a list"), category = get<uint8_t>(in, "a list");
    if (format >= kFormats || category > uint8_t(Category::other))
        throw SnapshotError("list '" + l.name + "': unknown format or category");
    l.format = ListFormat(format);
    l.category = Category(category);
    l.suffix = get<uint8_t>(in, "a list") != 0;
    for (uint64_t* n : {&l.domains, &l.urls, &l.ips, &l.invalid}) *n = get<uint64_t>(in, "a list");
    return l;
}

}  // namespace

void SnapshotAccess::write_table(std::string& out, const FingerprintTable& t) {
    put(out, uint64_t(t.capacity_));
    put(out, uint64_t(t.size_));
    out.append(reinterpret_cast<const char*>(t.keys_.get()), t.capacity_ * sizeof(uint64_t));
    out.append(reinterpret_cast<const char*>(t.metas_.get()), t.capacity_ * sizeof(EntryMeta));
}

FingerprintTable SnapshotAccess::read_table(std::string_view& in, size_t lists) {
    FingerprintTable t;
    const auto capacity = get<uint64_t>(in, "a table"), size = get<uint64_t>(in, "a table");
    if (capacity > in.size() / (sizeof(uint64_t) + sizeof(EntryMeta))) throw SnapshotError("table larger than the snapshot");
    t.capacity_ = size_t(capacity);
    t.keys_ = std::make_unique<uint64_t[]>(t.capacity_);
    t.metas_ = std::make_unique<EntryMeta[]>(t.capacity_);
    std::memcpy(t.keys_.get(), take(in, t.capacity_ * sizeof(uint64_t), "keys").data(), t.capacity_ * sizeof(uint64_t));
    std::memcpy(t.metas_.get(), take(in, t.capacity_ * sizeof(EntryMeta), "metas").data(), t.capacity_ * sizeof(EntryMeta));
    size_t used = 0;
    for (size_t i = 0; i < t.capacity_; ++i) {
        if (t.keys_[i] == 0) continue;
        ++used;
        if (t.metas_[i].list() >= lists) throw SnapshotError("an entry names a list that is not there");
    }
    // find() stops at an empty slot: a full table would loop.
    if (used != size || (capacity > 0 && used >= capacity)) throw SnapshotError("table counts do not add up");
    t.size_ = used;
    return t;
}

std::string SnapshotAccess::write(const ListSet& set) {
    std::string out(kMagic);
    put(out, set.seed_);
    put_bits(out, set.v4_lengths_);
    put_bits(out, set.v6_lengths_);
    put(out, uint32_t(set.lists_.size()));
    for (const auto& l : set.lists_) put_list(out, l);
    for (const FingerprintTable* t : {&set.domains_, &set.urls_, &set.ips_}) write_table(out, *t);
    return out;
}

std::shared_ptr<const ListSet> SnapshotAccess::read(std::string_view in) {
    if (take(in, kMagic.size(), "the header") != kMagic) throw SnapshotError("not a list snapshot (version 1)");
    auto set = std::make_shared<ListSet>();
    set->seed_ = get<uint64_t>(in, "the header");
    get_bits(in, set->v4_lengths_);
    get_bits(in, set->v6_lengths_);
    const auto lists = get<uint32_t>(in, "the header");
    if (lists > EntryMeta::kMaxLists) throw SnapshotError("more lists than a set can hold");
    for (uint32_t i = 0; i < lists; ++i) set->lists_.push_back(get_list(in));
    set->domains_ = read_table(in, lists);
    set->urls_ = read_table(in, lists);
    set->ips_ = read_table(in, lists);
    if (!in.empty()) throw SnapshotError("bytes after the snapshot");
    return set;
}

std::string write_list_snapshot(const ListSet& set) { return SnapshotAccess::write(set); }

std::shared_ptr<const ListSet> read_list_snapshot(std::string_view bytes) { return SnapshotAccess::read(bytes); }

int snapshot_memfd(const std::string& bytes) {
    const int fd = ::memfd_create("vigil-web-lists", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return -1;
    size_t off = 0;
    while (off < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int e = errno;
            ::close(fd);
            errno = e;
            return -1;
        }
        off += size_t(n);
    }
    if (::fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
        const int e = errno;
        ::close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

std::string read_snapshot_fd(int fd, size_t max_bytes) {
    struct stat st{};
    if (::fstat(fd, &st) != 0) throw SnapshotError("snapshot: " + common::errno_text(errno));
    if (!S_ISREG(st.st_mode) || uint64_t(st.st_size) > max_bytes) throw SnapshotError("snapshot: not a file or too large");
    std::string out(size_t(st.st_size), '\0');
    size_t off = 0;
    while (off < out.size()) {
        const ssize_t n = ::pread(fd, out.data() + off, out.size() - off, off_t(off));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw SnapshotError("snapshot: " + common::errno_text(errno));
        if (n == 0) throw SnapshotError("snapshot: shorter than its size");
        off += size_t(n);
    }
    return out;
}

}  // namespace vigil::web_threat
