#include "evaluator.hpp"

namespace vigil::ioc_scanner {

void GlobalFacts::record(int leaf, std::string_view object) {
    std::lock_guard<std::mutex> g(mu_);
    truth_[size_t(leaf)] = 1;
    auto& objs = objects_[size_t(leaf)];
    if (objs.size() < kMaxObjects) objs.emplace_back(object);
}

bool GlobalFacts::is_true(int leaf) const {
    std::lock_guard<std::mutex> g(mu_);
    return truth_[size_t(leaf)] != 0;
}

std::vector<std::string> GlobalFacts::objects(int leaf) const {
    std::lock_guard<std::mutex> g(mu_);
    return objects_[size_t(leaf)];
}

namespace {
std::vector<std::string_view>& scratch() {
    thread_local std::vector<std::string_view> v;
    v.clear();
    return v;
}
}  // namespace

bool Evaluator::leaf_true(const Leaf& l, ItemView& item, std::string* value) const {
    if (!l.term || !l.matcher) return false;
    auto& vals = scratch();
    if (!item.values(l.term->id, vals)) return false;
    const std::string_view* hit = nullptr;
    for (const auto& v : vals)
        if (l.matcher->matches(v)) {
            hit = &v;
            break;
        }
    const bool result = (hit != nullptr) != l.negate;
    if (result && value) {
        if (hit)
            value->assign(*hit);
        else if (!vals.empty())
            value->assign(vals.front());
        else
            value->clear();
    }
    return result;
}

void Evaluator::record_facts(Document doc, ItemView& item) const {
    for (const auto& l : ioc_.leaves) {
        if (!l.term || l.document != doc) continue;
        if (leaf_true(l, item, nullptr)) facts_.record(l.index, item.object());
    }
}

Evaluator::Result Evaluator::eval_global_leaf(int leaf, std::vector<Hit>& hits) const {
    if (!facts_.is_true(leaf)) return {};
    Hit h;
    h.leaf = leaf;
    h.other_item = true;
    for (const auto& o : facts_.objects(leaf)) h.object += (h.object.empty() ? "" : ", ") + o;
    hits.push_back(std::move(h));
    return {true, false};
}

Evaluator::Result Evaluator::eval_set(const SetGroup& g, Document doc, ItemView& item,
                                      std::vector<Hit>& hits) const {
    if (g.document != doc) {
        // Another document: true when any of the set's leaves is a fact.
        for (const auto& [v, leaf] : g.values)
            if (facts_.is_true(leaf)) return eval_global_leaf(leaf, hits);
        return {};
    }
    auto& vals = scratch();
    if (!item.values(g.term, vals)) return {};
    std::string key;
    for (const auto& v : vals) {
        if (g.folded) {
            key.assign(v);
            while (!key.empty() && (key.back() == ' ' || key.back() == '\n' || key.back() == '\r'))
                key.pop_back();
            for (auto& c : key)
                if (c >= 'A' && c <= 'Z') c = char(c + 32);
        } else {
            key.assign(v);
        }
        auto it = g.values.find(key);
        if (it == g.values.end()) continue;
        Hit h;
        h.leaf = it->second;
        h.object = item.object();
        h.value.assign(v);
        facts_.record(it->second, h.object);
        hits.push_back(std::move(h));
        return {true, true};
    }
    return {};
}

Evaluator::Result Evaluator::eval_part(const Node& n, const Node::Part& p, Document doc, ItemView& item,
                                       std::vector<Hit>& hits) const {
    switch (p.kind) {
        case Node::Kind::Leaf: {
            const Leaf& l = ioc_.leaves[size_t(p.index)];
            if (!l.term) return {};
            if (l.document != doc) return eval_global_leaf(l.index, hits);
            Hit h;
            if (!leaf_true(l, item, &h.value)) return {};
            h.leaf = l.index;
            h.object = item.object();
            facts_.record(l.index, h.object);
            hits.push_back(std::move(h));
            return {true, true};
        }
        case Node::Kind::Set:
            return eval_set(n.sets[size_t(p.index)], doc, item, hits);
        case Node::Kind::Child:
            return eval(n.children[size_t(p.index)], doc, item, hits);
    }
    return {};
}

Evaluator::Result Evaluator::eval(const Node& n, Document doc, ItemView& item, std::vector<Hit>& hits) const {
    const uint32_t bound = doc_bit(doc);
    const size_t mark = hits.size();
    if (n.op == Operator::And) {
        Result r{true, false};
        // Facts of other documents cost nothing: check them before touching the item.
        for (int pass = 0; pass < 2; ++pass) {
            for (const auto& p : n.parts) {
                const bool mine = (p.docs & bound) != 0;
                if (mine != (pass == 1)) continue;
                Result pr = eval_part(n, p, doc, item, hits);
                if (!pr.value) {
                    hits.resize(mark);
                    return {};
                }
                r.involved |= pr.involved;
            }
        }
        return r;
    }
    // OR: prefer a branch that is true because of this item; otherwise keep
    // the evidence of the first branch that is true through other items.
    std::vector<Hit> fallback;
    bool any_true = false;
    for (const auto& p : n.parts) {
        if (!(p.docs & bound)) continue;
        const size_t before = hits.size();
        Result pr = eval_part(n, p, doc, item, hits);
        if (pr.value && pr.involved) return pr;
        if (pr.value && !any_true)
            fallback.assign(std::make_move_iterator(hits.begin() + long(before)),
                            std::make_move_iterator(hits.end()));
        any_true |= pr.value;
        hits.resize(before);
    }
    if (!any_true) {
        for (const auto& p : n.parts) {
            if (p.docs & bound) continue;
            if (eval_part(n, p, doc, item, fallback).value) {
                any_true = true;
                break;
            }
            fallback.clear();
        }
    }
    if (any_true)
        for (auto& h : fallback) hits.push_back(std::move(h));
    return {any_true, false};
}

bool Evaluator::match(Document doc, ItemView& item, std::vector<Hit>& hits) const {
    hits.clear();
    if (!ioc_.uses(doc)) return false;
    Result r = eval(ioc_.root, doc, item, hits);
    if (!(r.value && r.involved)) {
        hits.clear();
        return false;
    }
    return true;
}

}  // namespace vigil::ioc_scanner
