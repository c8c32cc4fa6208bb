// Evaluates a CompiledIoc against items.
//
// Semantics: the terms of one document inside an IOC describe the same item
// (FileName is X AND Md5sum is Y means one file with both), while terms of
// other documents only need some item of their own (a file AND a process).
// So an IOC is evaluated with one document "bound" to one item; leaves of
// other documents read GlobalFacts: whether any item of that document
// satisfied the leaf (small documents are collected before files; file leaves
// become facts as files are evaluated). The IOC matches *because of* an item
// when the tree is true and at least one true leaf is that item's, so an
// unrelated item is never reported for a match that happened elsewhere.
//
// Leaves are tried cheapest first (names before stat, stat before hashes and
// strings), AND stops at the first false part and OR at the first true one,
// so costly data is produced only when it can still change the result.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "compiled_ioc.hpp"
#include "item_view.hpp"

namespace vigil::ioc_scanner {

struct Hit {
    int leaf = 0;
    std::string object;       // the item that satisfied the leaf
    std::string value;        // its value (for a negated leaf: the value that did not match)
    bool other_item = false;  // satisfied by another item (another document)
};

class GlobalFacts {
public:
    explicit GlobalFacts(size_t leaves) : truth_(leaves, 0), objects_(leaves) {}
    void record(int leaf, std::string_view object);
    bool is_true(int leaf) const;
    std::vector<std::string> objects(int leaf) const;

    static constexpr size_t kMaxObjects = 8;

private:
    mutable std::mutex mu_;
    std::vector<char> truth_;
    std::vector<std::vector<std::string>> objects_;
};

class Evaluator {
public:
    Evaluator(const CompiledIoc& ioc, GlobalFacts& facts) : ioc_(ioc), facts_(facts) {}

    // True when the IOC matches because of `item` (of document `doc`); `hits`
    // receives the leaves that made it true.
    bool match(Document doc, ItemView& item, std::vector<Hit>& hits) const;

    // Records in GlobalFacts every leaf of `doc` that `item` satisfies.
    void record_facts(Document doc, ItemView& item) const;

    // Evaluates one leaf on an item (negate applied). False for unknown terms
    // and unavailable values.
    bool leaf_true(const Leaf& l, ItemView& item, std::string* value) const;

private:
    struct Result {
        bool value = false;
        bool involved = false;
    };
    Result eval(const Node& n, Document doc, ItemView& item, std::vector<Hit>& hits) const;
    Result eval_part(const Node& n, const Node::Part& p, Document doc, ItemView& item,
                     std::vector<Hit>& hits) const;
    Result eval_set(const SetGroup& g, Document doc, ItemView& item, std::vector<Hit>& hits) const;
    Result eval_global_leaf(int leaf, std::vector<Hit>& hits) const;

    const CompiledIoc& ioc_;
    GlobalFacts& facts_;
};

}  // namespace vigil::ioc_scanner
