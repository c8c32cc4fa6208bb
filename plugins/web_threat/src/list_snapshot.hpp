// A loaded list set as bytes, so the plugin (root, which can read every list
// file and the kept central lists) hands the unprivileged worker new lists
// without the worker reading anything or starting again: the fingerprint
// tables are copied slot by slot (same seed), the lists' descriptions as
// they are. The addresses for the kernel's sets (ListSet::ip_prefixes) stay
// in the plugin; a set read back has none.
//
// The bytes come from vigild over a private socket pair, yet the reader
// checks every size and index, so a damaged snapshot is refused with a
// clear error rather than read out of bounds or looped on.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "list_set.hpp"

namespace vigil::web_threat {

class SnapshotError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

std::string write_list_snapshot(const ListSet& set);
// Throws SnapshotError naming what is wrong.
std::shared_ptr<const ListSet> read_list_snapshot(std::string_view bytes);

// The snapshot in a sealed memfd (read-only for whoever receives it);
// returns the fd (the caller closes it) or -1 with errno.
int snapshot_memfd(const std::string& bytes);
// Reads a whole snapshot fd (at most `max_bytes`); throws SnapshotError.
std::string read_snapshot_fd(int fd, size_t max_bytes);

}  // namespace vigil::web_threat
