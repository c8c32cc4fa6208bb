// An IOC ready for evaluation: every IndicatorItem resolved to a term of the
// catalog with a compiled ValueMatcher, nodes annotated with the documents
// they touch, and OR-ed "is" lists (hash lists) turned into hash-set lookups.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ioc_model.hpp"
#include "term_catalog.hpp"
#include "value_match.hpp"

namespace vigil::ioc_scanner {

struct Leaf {
    int index = 0;
    std::string item_id, search, condition_text, content, content_type;
    int line = 0;
    bool negate = false;
    bool preserve_case = false;
    const Term* term = nullptr;  // null: unsupported, never matches
    Document document = Document::File;
    Cost cost = Cost::Free;
    std::optional<ValueMatcher> matcher;
};

// OR-ed, non-negated `is` leaves on one term, answered by one lookup.
struct SetGroup {
    TermId term;
    Document document;
    Cost cost;
    bool folded;                                  // keys are lower-cased
    std::unordered_map<std::string, int> values;  // value -> leaf index
};

struct Node {
    enum class Kind { Leaf, Set, Child };
    struct Part {
        Kind kind;
        int index;      // leaf index, set index or child index
        Cost cost;      // most expensive data the part may need
        uint32_t docs;  // documents the part touches (bit per Document)
    };
    Operator op = Operator::Or;
    std::string id;
    std::vector<Part> parts;  // sorted by cost
    std::vector<SetGroup> sets;
    std::vector<Node> children;
    uint32_t docs = 0;
};

struct Warning {
    std::string term;
    std::string reason;
    int items = 0;
};

struct FileNeeds {
    bool stat = false, lookup = false, md5 = false, sha1 = false, sha256 = false, strings = false;
    bool hashes() const { return md5 || sha1 || sha256; }
    // Every file term can be decided from the path: no file needs a stat or an open.
    bool names_only() const { return !stat && !lookup && !hashes() && !strings; }
    void merge(const FileNeeds& o) {
        stat |= o.stat, lookup |= o.lookup, md5 |= o.md5, sha1 |= o.sha1, sha256 |= o.sha256,
            strings |= o.strings;
    }
};

struct CompiledIoc {
    std::string id, short_description, description, authored_by, version, source;
    Node root;
    std::vector<Leaf> leaves;
    uint32_t docs = 0;
    std::vector<Warning> warnings;
    FileNeeds file_needs;
    bool needs_handles = false;  // process HandleList / PortList terms
    bool needs_maps = false;     // process SectionList terms

    bool uses(Document d) const { return docs & (1u << int(d)); }
};

inline uint32_t doc_bit(Document d) { return 1u << int(d); }

// Resolves terms and compiles matchers. Throws ParseError naming the item and
// line for content that cannot be used (bad number, bad regex, ...).
CompiledIoc compile(const Ioc& ioc);

}  // namespace vigil::ioc_scanner
