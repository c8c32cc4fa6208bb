// What the evaluator sees of one item of a document (a file, a process, a
// port, ...): the values of a term, produced on demand.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "term_catalog.hpp"

namespace vigil::ioc_scanner {

class ItemView {
public:
    virtual ~ItemView() = default;
    // Appends the item's values of `id` (terms may have several, e.g. the
    // strings of a file or the handles of a process). Returns false when the
    // value cannot be produced (unreadable file, over the hash size limit):
    // such a term is "unknown" and never matches, negated or not.
    virtual bool values(TermId id, std::vector<std::string_view>& out) = 0;
    // Short label for evidence: a path, "pid 123 (name)", an address.
    virtual std::string object() const = 0;
};

// An item of a small document (everything but files), collected up front.
struct Record {
    Document document = Document::Process;
    std::string object;
    // Process identity for the terminate action (processes and ports).
    int pid = 0;
    uint64_t start_ticks = 0;  // /proc/PID/stat field 22
    std::string exe;
    std::vector<std::pair<TermId, std::string>> fields;

    void add(TermId id, std::string value) { fields.emplace_back(id, std::move(value)); }
    bool has(TermId id) const {
        for (const auto& f : fields)
            if (f.first == id) return true;
        return false;
    }
};

class RecordView final : public ItemView {
public:
    explicit RecordView(const Record& r) : r_(r) {}
    bool values(TermId id, std::vector<std::string_view>& out) override {
        // Collectors fill every scalar field (possibly empty); list fields
        // (handles, groups, addresses) may legitimately have no values.
        for (const auto& f : r_.fields)
            if (f.first == id) out.emplace_back(f.second);
        return true;
    }
    std::string object() const override { return r_.object; }

private:
    const Record& r_;
};

}  // namespace vigil::ioc_scanner
