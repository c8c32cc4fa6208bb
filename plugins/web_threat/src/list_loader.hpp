// Building the whole list set: the list files of the settings plus the lists
// the central node sent (web_threat.set_lists, kept in the state directory).
// A list file that cannot be loaded is left out and reported; the others
// still protect. Lists sent by the central node are checked before they are
// kept: one bad list refuses the whole command and nothing changes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "list_set.hpp"
#include "settings.hpp"

namespace vigil::web_threat {

struct LoadOutcome {
    std::shared_ptr<const ListSet> set;
    std::vector<std::string> errors;    // lists left out, with the reason
    std::vector<std::string> problems;  // malformed lines skipped (the first few per list)
    int64_t load_ms = 0;
};

// A list sent by the central node: its description and its text.
struct SentList {
    ListSpec spec;
    std::string content;
    std::string source;  // shown in the status; "" = "set_lists:<name>"
};

// Where the lists sent by the central node are kept: DIR/index.json and
// DIR/<name>.list, written atomically (files first, the index last).
class CentralLists {
public:
    explicit CentralLists(std::string dir) : dir_(std::move(dir)) {}
    // The kept lists (spec.path = the kept file); empty when none were sent.
    // Throws std::runtime_error when the index is damaged.
    std::vector<ListSpec> kept() const;
    // Replaces every kept list with `lists`.
    void replace(const std::vector<SentList>& lists) const;
    const std::string& dir() const { return dir_; }

private:
    std::string dir_;
};

// Loads `files` (checked to be root-owned when `require_trusted`), the kept
// central lists and lists sent now into one set. A file that cannot be
// loaded is left out (LoadOutcome::errors); a sent list that is refused
// throws ListError naming the list and line.
LoadOutcome load_lists(const std::vector<ListSpec>& files, const std::vector<ListSpec>& central,
                       const std::vector<SentList>& sent, uint64_t max_bytes, bool require_trusted);

}  // namespace vigil::web_threat
