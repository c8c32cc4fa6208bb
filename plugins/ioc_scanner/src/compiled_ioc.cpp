#include "compiled_ioc.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "ioc_parser.hpp"

namespace vigil::ioc_scanner {

namespace {

constexpr size_t kMinSetSize = 4;  // below this a linear scan is as fast

// What reading a file for this term takes: a digest or the strings for content
// terms, else the stat or directory lookup its cost class says.
void note_file_need(FileNeeds& f, TermId term, Cost cost) {
    static constexpr std::pair<TermId, bool FileNeeds::*> kContentNeed[] = {
        {TermId::FileMd5sum, &FileNeeds::md5},
        {TermId::FileSha1sum, &FileNeeds::sha1},
        {TermId::FileSha256sum, &FileNeeds::sha256},
        {TermId::FileStringListString, &FileNeeds::strings}};
    for (const auto& [content_term, need] : kContentNeed)
        if (content_term == term) {
            f.*need = true;
            return;
        }
    if (cost == Cost::Stat) f.stat = true;
    if (cost == Cost::Lookup) f.stat = f.lookup = true;
}

class Compiler {
public:
    explicit Compiler(CompiledIoc& out) : out_(out) {}

    Node node(const Indicator& ind) {
        Node n;
        n.op = ind.op;
        n.id = ind.id;
        for (const auto& item : ind.items) {
            int idx = leaf(item);
            const Leaf& l = out_.leaves[size_t(idx)];
            uint32_t docs = l.term ? doc_bit(l.document) : 0;
            n.parts.push_back({Node::Kind::Leaf, idx, l.cost, docs});
        }
        for (const auto& child : ind.children) {
            Node c = node(*child);
            Cost cost = Cost::Free;
            for (const auto& p : c.parts) cost = std::max(cost, p.cost);
            n.parts.push_back({Node::Kind::Child, int(n.children.size()), cost, c.docs});
            n.children.push_back(std::move(c));
        }
        if (n.op == Operator::Or) group_sets(n);
        for (const auto& p : n.parts) n.docs |= p.docs;
        std::stable_sort(n.parts.begin(), n.parts.end(),
                         [](const Node::Part& a, const Node::Part& b) { return a.cost < b.cost; });
        return n;
    }

private:
    void warn(const std::string& term, const std::string& reason) {
        for (auto& w : out_.warnings)
            if (w.term == term) {
                ++w.items;
                return;
            }
        out_.warnings.push_back({term, reason, 1});
    }

    int leaf(const IndicatorItem& item) {
        Leaf l;
        l.index = int(out_.leaves.size());
        l.item_id = item.id;
        l.search = item.search;
        l.condition_text = item.condition_text;
        l.content = item.content;
        l.content_type = item.content_type;
        l.line = item.line;
        l.negate = item.negate;
        l.preserve_case = item.preserve_case;
        l.term = find_term(item.search);
        if (!l.term) {
            const std::string doc = item.search.substr(0, item.search.find('/'));
            if (document_from_name(doc))
                warn(item.search, "term not supported on Linux by this scanner; it never matches");
            else
                warn(item.search, "document " + doc + " is not available on Linux; the term never matches");
            out_.leaves.push_back(std::move(l));
            return int(out_.leaves.size()) - 1;
        }
        l.document = l.term->document;
        l.cost = l.term->cost;
        auto type = value_type_from_content(item.content_type);
        if (!type) {
            warn(item.search, "unknown content type \"" + item.content_type + "\" compared as a string");
            type = ValueType::String;
        }
        // A numeric/date/IP term written with content type string is compared
        // by the term's own type when the content parses as one.
        const bool typed_cond = item.condition == Condition::Is || item.condition == Condition::GreaterThan ||
                                item.condition == Condition::LessThan;
        if (*type == ValueType::String && l.term->type != ValueType::String && typed_cond) {
            try {
                l.matcher.emplace(item.condition, l.term->type, item.preserve_case, item.content);
            } catch (const std::exception&) {
            }
        }
        if (!l.matcher) {
            try {
                l.matcher.emplace(item.condition, *type, item.preserve_case, item.content);
            } catch (const std::exception& e) {
                throw ParseError(out_.source, item.line,
                                 "IndicatorItem \"" + item.id + "\" (" + item.search + " " +
                                     item.condition_text + " \"" + item.content + "\"): " + e.what());
            }
        }
        out_.docs |= doc_bit(l.document);
        if (l.document == Document::File) note_file_need(out_.file_needs, l.term->id, l.cost);
        if (l.cost == Cost::Handles) out_.needs_handles = true;
        if (l.cost == Cost::Maps) out_.needs_maps = true;
        out_.leaves.push_back(std::move(l));
        return int(out_.leaves.size()) - 1;
    }

    // Turns long OR-lists of `is` on one term (hash lists, name lists) into
    // one hash-set lookup per item instead of one comparison per entry.
    void group_sets(Node& n) {
        std::map<std::pair<int, bool>, std::vector<size_t>> candidates;  // (term, folded) -> part positions
        for (size_t i = 0; i < n.parts.size(); ++i) {
            if (n.parts[i].kind != Node::Kind::Leaf) continue;
            const Leaf& l = out_.leaves[size_t(n.parts[i].index)];
            if (!l.term || l.negate || !l.matcher || l.matcher->condition() != Condition::Is) continue;
            const ValueType t = l.matcher->type();
            if (t != ValueType::Hash && t != ValueType::String) continue;
            const bool folded = t == ValueType::Hash || !l.preserve_case;
            candidates[{int(l.term->id), folded}].push_back(i);
        }
        std::vector<bool> drop(n.parts.size(), false);
        for (auto& [key, positions] : candidates) {
            if (positions.size() < kMinSetSize) continue;
            SetGroup g{TermId(key.first),
                       term(TermId(key.first)).document,
                       term(TermId(key.first)).cost,
                       key.second,
                       {}};
            for (size_t pos : positions) {
                const Leaf& l = out_.leaves[size_t(n.parts[pos].index)];
                g.values.emplace(key.second ? l.matcher->folded() : l.matcher->content(), l.index);
                drop[pos] = true;
            }
            n.parts.push_back({Node::Kind::Set, int(n.sets.size()), g.cost, doc_bit(g.document)});
            n.sets.push_back(std::move(g));
        }
        std::vector<Node::Part> kept;
        for (size_t i = 0; i < n.parts.size(); ++i)
            if (i >= drop.size() || !drop[i]) kept.push_back(n.parts[i]);
        n.parts = std::move(kept);
    }

    CompiledIoc& out_;
};

}  // namespace

CompiledIoc compile(const Ioc& ioc) {
    CompiledIoc out;
    out.id = ioc.id;
    out.short_description = ioc.short_description;
    out.description = ioc.description;
    out.authored_by = ioc.authored_by;
    out.version = ioc.version;
    out.source = ioc.source;
    Compiler c(out);
    out.root.op = Operator::Or;
    out.root.id = "criteria";
    for (const auto& r : ioc.roots) {
        Node child = c.node(*r);
        Cost cost = Cost::Free;
        for (const auto& p : child.parts) cost = std::max(cost, p.cost);
        out.root.parts.push_back({Node::Kind::Child, int(out.root.children.size()), cost, child.docs});
        out.root.docs |= child.docs;
        out.root.children.push_back(std::move(child));
    }
    return out;
}

}  // namespace vigil::ioc_scanner
