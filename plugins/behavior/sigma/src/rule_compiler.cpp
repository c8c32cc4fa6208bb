#include "rule_compiler.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <set>

#include "ascii.hpp"
#include "rule_error.hpp"
#include "vigil/common/yaml_limits.hpp"

namespace vigil::behavior::sigma {

namespace {

std::string node_kind(const YAML::Node& n) {
    if (!n.IsDefined()) return "missing";  // Type() throws on a missing node
    switch (n.Type()) {
    case YAML::NodeType::Null: return "null";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Undefined: return "missing";
    }
    return "unknown";
}

std::string scalar(const YAML::Node& n, std::string_view what) {
    if (!n.IsScalar()) throw RuleError(std::string(what) + " must be a string, not " + node_kind(n));
    return n.Scalar();
}

std::string optional_scalar(const YAML::Node& root, const char* key) {
    YAML::Node n = root[key];
    if (!n || n.IsNull()) return {};
    return scalar(n, key);
}

// A list of strings; a single string is accepted as a one-element list.
std::vector<std::string> string_list(const YAML::Node& root, const char* key) {
    YAML::Node n = root[key];
    std::vector<std::string> out;
    if (!n || n.IsNull()) return out;
    if (n.IsScalar()) {
        out.push_back(n.Scalar());
        return out;
    }
    if (!n.IsSequence()) throw RuleError(std::string(key) + " must be a list of strings, not " + node_kind(n));
    for (const auto& item : n) out.push_back(scalar(item, std::string(key) + " item"));
    return out;
}

std::vector<RawValue> field_values(const YAML::Node& v, const std::string& key) {
    std::vector<RawValue> out;
    auto one = [&](const YAML::Node& n) {
        if (n.IsNull()) out.push_back({true, {}});
        else if (n.IsScalar()) out.push_back({false, n.Scalar()});
        else throw RuleError("field '" + key + "' has " + node_kind(n) + " as a value");
    };
    if (v.IsSequence()) {
        for (const auto& item : v) one(item);
    } else {
        one(v);
    }
    return out;
}

std::vector<FieldTest> parse_map(const std::string& name, const YAML::Node& m, std::set<std::string>& unmapped) {
    if (m.size() == 0) throw RuleError("search identifier '" + name + "' has an empty map");
    std::vector<FieldTest> group;
    for (const auto& kv : m) {
        std::string key = scalar(kv.first, "field name in '" + name + "'");
        try {
            group.push_back(FieldTest::build(key, field_values(kv.second, key), unmapped));
        } catch (const RuleError& e) {
            throw RuleError("search identifier '" + name + "': " + e.what());
        }
    }
    return group;
}

Search parse_search(const std::string& name, const YAML::Node& n, std::set<std::string>& unmapped) {
    Search s;
    std::vector<RawValue> keywords;
    if (n.IsMap()) {
        s.alternatives.push_back(parse_map(name, n, unmapped));
    } else if (n.IsSequence()) {
        if (n.size() == 0) throw RuleError("search identifier '" + name + "' is an empty list");
        for (const auto& item : n) {
            if (item.IsMap()) s.alternatives.push_back(parse_map(name, item, unmapped));
            else if (item.IsScalar()) keywords.push_back({false, item.Scalar()});
            else throw RuleError("search identifier '" + name + "' has " + node_kind(item) + " in its list");
        }
    } else if (n.IsScalar()) {
        keywords.push_back({false, n.Scalar()});
    } else {
        throw RuleError("search identifier '" + name + "' is " + node_kind(n));
    }
    if (!keywords.empty()) {
        try {
            s.alternatives.push_back({});
            s.alternatives.back().push_back(FieldTest::build("", keywords, unmapped));
        } catch (const RuleError& e) {
            throw RuleError("search identifier '" + name + "': " + e.what());
        }
    }
    return s;
}

void compile_detection(const YAML::Node& det, CompiledRule& rule, std::set<std::string>& unmapped) {
    if (!det || !det.IsMap()) throw RuleError("detection must be a map, not " + node_kind(det));
    YAML::Node condition;
    for (const auto& kv : det) {
        std::string name = scalar(kv.first, "detection key");
        if (name == "condition") {
            condition = kv.second;
            continue;
        }
        if (name == "timeframe") throw RuleError("detection.timeframe (temporal aggregation) is not supported");
        rule.search_names.push_back(name);
        rule.searches.push_back(parse_search(name, kv.second, unmapped));
    }
    if (!condition || condition.IsNull()) throw RuleError("detection has no condition");

    std::vector<std::string> texts;
    if (condition.IsSequence()) {
        for (const auto& c : condition) texts.push_back(scalar(c, "condition item"));
    } else {
        texts.push_back(scalar(condition, "condition"));
    }
    if (texts.empty()) throw RuleError("detection has an empty condition list");
    // A list of conditions means any of them.
    std::vector<ConditionNode> parts;
    for (const auto& t : texts) parts.push_back(parse_condition(t, rule.search_names));
    if (parts.size() == 1) {
        rule.condition = std::move(parts.front());
    } else {
        rule.condition.op = ConditionNode::Op::Or;
        rule.condition.children = std::move(parts);
    }
}

std::unique_ptr<CompiledRule> compile_document(const YAML::Node& root, std::string_view source) {
    if (!root.IsMap()) throw RuleError("a rule must be a YAML map, not " + node_kind(root));
    if (root["correlation"]) throw RuleError("correlation rules are not supported");
    if (root["filter"] && !root["detection"]) throw RuleError("Sigma filter documents are not supported");
    if (root["action"]) throw RuleError("rule collections (action: global/reset/repeat) are not supported");

    auto info = std::make_shared<RuleInfo>();
    info->source = std::string(source);
    YAML::Node title = root["title"];
    if (!title || title.IsNull()) throw RuleError("rule has no title");
    info->title = scalar(title, "title");
    info->id = optional_scalar(root, "id");
    if (info->id.empty()) info->id = std::filesystem::path(std::string(source)).stem().string();
    info->description = optional_scalar(root, "description");
    info->status = optional_scalar(root, "status");
    // `author` is a string in the spec; a list is joined so attribution survives.
    if (root["author"] && root["author"].IsSequence()) {
        for (const auto& a : string_list(root, "author"))
            info->author += (info->author.empty() ? "" : ", ") + a;
    } else {
        info->author = optional_scalar(root, "author");
    }
    if (std::string level = optional_scalar(root, "level"); !level.empty()) {
        auto l = level_from_name(level);
        if (!l) throw RuleError("level '" + level + "' is not one of informational, low, medium, high, critical");
        info->level = *l;
    }
    info->tags = string_list(root, "tags");
    info->references = string_list(root, "references");
    info->falsepositives = string_list(root, "falsepositives");

    YAML::Node ls = root["logsource"];
    if (!ls || !ls.IsMap()) throw RuleError("logsource must be a map, not " + node_kind(ls));
    info->product = optional_scalar(ls, "product");
    info->category = optional_scalar(ls, "category");
    info->service = optional_scalar(ls, "service");
    if (info->product.empty() && info->category.empty() && info->service.empty())
        throw RuleError("logsource names no product, category or service");
    if (!info->product.empty() && !iequals(info->product, "linux"))
        throw RuleError("logsource product '" + info->product + "' is not linux");

    auto rule = std::make_unique<CompiledRule>();
    // Only category-only (or product linux + category) log sources are ours;
    // a service (auditd, sshd, ...) names a log we do not read.
    if (!info->category.empty() && info->service.empty()) rule->category = category_from_name(info->category);

    std::set<std::string> unmapped;
    compile_detection(root["detection"], *rule, unmapped);
    info->unmapped_fields.assign(unmapped.begin(), unmapped.end());
    rule->info = std::move(info);
    return rule;
}

}  // namespace

std::unique_ptr<CompiledRule> compile_rule(std::string_view yaml_text, std::string_view source) {
    std::vector<YAML::Node> docs;
    try {
        vigil::common::check_yaml_documents(yaml_text);  // LoadAll can loop forever on some streams
        docs = YAML::LoadAll(std::string(yaml_text));
    } catch (const vigil::common::YamlLimitError& e) {
        throw RuleError(std::string("YAML error: ") + e.what());
    } catch (const YAML::Exception& e) {
        throw RuleError("YAML error at line " + std::to_string(e.mark.line + 1) + ", column " +
                        std::to_string(e.mark.column + 1) + ": " + e.msg);
    }
    std::vector<YAML::Node> present;
    for (auto& d : docs)
        if (d && !d.IsNull()) present.push_back(d);
    if (present.empty()) throw RuleError("file holds no YAML document");
    if (present.size() > 1) throw RuleError("file holds " + std::to_string(present.size()) +
                                            " YAML documents; multi-document rules are not supported");
    // Bounded before the compiler's recursive walk: nesting and alias expansion.
    try {
        vigil::common::check_yaml_limits(present.front());
    } catch (const vigil::common::YamlLimitError& e) {
        throw RuleError(std::string("refused: ") + e.what());
    }
    try {
        return compile_document(present.front(), source);
    } catch (const YAML::Exception& e) {
        // Conversions inside yaml-cpp (e.g. an odd node type) report here.
        throw RuleError(std::string("YAML error: ") + e.what());
    }
}

}  // namespace vigil::behavior::sigma
