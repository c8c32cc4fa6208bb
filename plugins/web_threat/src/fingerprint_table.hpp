// A compact set of 64-bit fingerprints (hashes of normalised domains or URL
// expressions) with 16 bits of metadata each: an open-addressing table, load
// factor <= 0.6, about 10 bytes per slot (~17 bytes per entry). A million
// domains fit in ~17 MiB where std::unordered_set<std::string> takes ~100 MiB.
//
// A 64-bit fingerprint confuses two different names with probability about
// n / 2^64 per probe (5e-14 for a million entries): negligible, and the seed
// is random per table so nobody can pick names that collide or that pile up
// in one probe run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace vigil::web_threat {

// Metadata of an entry: categories (low 4 bits), the suffix flag (bit 4: the
// entry also matches every name below it) and the index of the first list
// that holds it (bits 5-15, at most kMaxLists lists).
struct EntryMeta {
    static constexpr uint16_t kSuffix = 0x10;
    static constexpr unsigned kListShift = 5;
    static constexpr unsigned kMaxLists = 1u << (16 - kListShift);

    uint16_t bits = 0;

    static EntryMeta make(uint8_t categories, bool suffix, unsigned list) {
        return EntryMeta{uint16_t((categories & 0x0f) | (suffix ? kSuffix : 0) | (list << kListShift))};
    }
    uint8_t categories() const { return uint8_t(bits & 0x0f); }
    bool suffix() const { return (bits & kSuffix) != 0; }
    unsigned list() const { return bits >> kListShift; }
};

// Hash of a byte string with a seed (64-bit, every input bit affects every
// output bit).
uint64_t fingerprint(std::string_view text, uint64_t seed);

// Collects entries, then freezes them into the table.
class FingerprintTable {
public:
    struct Pending {
        std::vector<uint64_t> keys;
        std::vector<uint16_t> metas;
        void add(uint64_t key, EntryMeta m) {
            keys.push_back(key);
            metas.push_back(m.bits);
        }
        size_t size() const { return keys.size(); }
    };

    FingerprintTable() = default;
    // Builds the table from collected entries (duplicates merge their
    // categories; see merge()). `pending` is emptied.
    explicit FingerprintTable(Pending&& pending);

    // The entry's metadata, or nullptr.
    const EntryMeta* find(uint64_t key) const;
    size_t size() const { return size_; }
    size_t capacity() const { return capacity_; }
    size_t memory_bytes() const { return capacity_ * (sizeof(uint64_t) + sizeof(uint16_t)); }

    // Two lists naming the same entry: the categories add up; a suffix entry
    // wins over an exact one (and reports its own list).
    static EntryMeta merge(EntryMeta old, EntryMeta add);

private:
    friend struct SnapshotAccess;  // list_snapshot.cpp copies the slots as they are
    size_t slot_of(uint64_t key) const;
    void insert(uint64_t key, EntryMeta m);

    size_t capacity_ = 0;
    size_t size_ = 0;
    std::unique_ptr<uint64_t[]> keys_;  // 0 = empty slot (key 0 is stored as 1)
    std::unique_ptr<EntryMeta[]> metas_;
};

}  // namespace vigil::web_threat
