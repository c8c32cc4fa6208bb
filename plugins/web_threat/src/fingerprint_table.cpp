#include "fingerprint_table.hpp"

#include <cstring>

namespace vigil::web_threat {

namespace {

constexpr uint64_t kMul1 = 0x9e3779b97f4a7c15ull;
constexpr uint64_t kMul2 = 0xbf58476d1ce4e5b9ull;
constexpr uint64_t kMul3 = 0x94d049bb133111ebull;

// The 64-bit finaliser of splitmix64: a bijection with full avalanche.
uint64_t avalanche(uint64_t x) {
    x = (x ^ (x >> 30)) * kMul2;
    x = (x ^ (x >> 27)) * kMul3;
    return x ^ (x >> 31);
}

uint64_t rotl(uint64_t x, unsigned r) { return (x << r) | (x >> (64 - r)); }

__extension__ typedef unsigned __int128 u128;  // GCC and clang on 64-bit targets

}  // namespace

uint64_t fingerprint(std::string_view text, uint64_t seed) {
    // Each 8-byte word goes through the bijective finaliser before it is
    // folded in, so no word value can cancel the state built so far.
    uint64_t h = seed ^ (uint64_t(text.size()) * kMul1);
    size_t i = 0;
    for (; i + 8 <= text.size(); i += 8) {
        uint64_t w;
        std::memcpy(&w, text.data() + i, 8);
        h = rotl(h ^ avalanche(w + kMul1), 29) * kMul3 + kMul2;
    }
    uint64_t tail = 0;
    std::memcpy(&tail, text.data() + i, text.size() - i);
    h = rotl(h ^ avalanche(tail + kMul1 + (text.size() - i)), 29) * kMul3 + kMul2;
    return avalanche(h);
}

EntryMeta FingerprintTable::merge(EntryMeta old, EntryMeta add) {
    const uint8_t cats = old.categories() | add.categories();
    if (add.suffix() && !old.suffix()) return EntryMeta::make(cats, true, add.list());
    return EntryMeta::make(cats, old.suffix(), old.list());
}

FingerprintTable::FingerprintTable(Pending&& pending) {
    const size_t n = pending.size();
    // Load factor <= 0.6: a miss probes ~3.6 slots on average (linear probing).
    capacity_ = n < 10 ? 16 : n + n * 2 / 3 + 1;
    keys_ = std::make_unique<uint64_t[]>(capacity_);
    metas_ = std::make_unique<EntryMeta[]>(capacity_);
    for (size_t i = 0; i < n; ++i) insert(pending.keys[i], EntryMeta{pending.metas[i]});
    pending = Pending{};
}

size_t FingerprintTable::slot_of(uint64_t key) const {
    // Multiply-shift range reduction: no power-of-two capacity needed.
    return size_t((static_cast<u128>(key) * capacity_) >> 64);
}

void FingerprintTable::insert(uint64_t key, EntryMeta m) {
    if (key == 0) key = 1;
    for (size_t s = slot_of(key);; s = s + 1 == capacity_ ? 0 : s + 1) {
        if (keys_[s] == key) {
            metas_[s] = merge(metas_[s], m);
            return;
        }
        if (keys_[s] == 0) {
            keys_[s] = key;
            metas_[s] = m;
            ++size_;
            return;
        }
    }
}

const EntryMeta* FingerprintTable::find(uint64_t key) const {
    if (capacity_ == 0) return nullptr;
    if (key == 0) key = 1;
    for (size_t s = slot_of(key);; s = s + 1 == capacity_ ? 0 : s + 1) {
        if (keys_[s] == key) return &metas_[s];
        if (keys_[s] == 0) return nullptr;
    }
}

}  // namespace vigil::web_threat
