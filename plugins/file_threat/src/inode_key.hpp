// A file's identity (device, inode) as a hash map key: the verdict cache and
// the on-access monitor's per-file scan bookkeeping both key on it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

namespace vigil::file_threat {

struct InodeKey {
    uint64_t dev, ino;
    bool operator==(const InodeKey&) const = default;
};

struct InodeKeyHash {
    size_t operator()(const InodeKey& k) const { return std::hash<uint64_t>()(k.ino * 0x9e3779b97f4a7c15ull ^ k.dev); }
};

}  // namespace vigil::file_threat
