#include "vigil/common/yaml_limits.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <sstream>

#include <string>
#include <utility>
#include <vector>

namespace vigil::common {

namespace {

std::string where(const YAML::Node& n) {
    const int line = n.Mark().line;
    return line >= 0 ? "line " + std::to_string(line + 1) + ": " : "";
}

// Counts documents and stops the parse past the limit; every other event is ignored.
class DocumentCounter : public YAML::EventHandler {
public:
    explicit DocumentCounter(size_t max) : max_(max) {}
    void OnDocumentStart(const YAML::Mark& mark) override {
        if (++documents_ > max_)
            throw YamlLimitError("line " + std::to_string(mark.line + 1) + ": more than " + std::to_string(max_) +
                                 " YAML documents");
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}

private:
    size_t max_;
    size_t documents_ = 0;
};

}  // namespace

void check_yaml_documents(std::string_view text, size_t max_documents) {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    DocumentCounter counter(max_documents);
    while (parser.HandleNextDocument(counter)) {
    }
}

void check_yaml_limits(const YAML::Node& root, const YamlLimits& limits) {
    std::vector<std::pair<YAML::Node, size_t>> todo{{root, 1}};
    size_t visited = 0;
    while (!todo.empty()) {
        auto [node, depth] = std::move(todo.back());
        todo.pop_back();
        if (++visited > limits.max_nodes)
            throw YamlLimitError("more than " + std::to_string(limits.max_nodes) +
                                 " nodes once aliases are expanded");
        if (!node.IsSequence() && !node.IsMap()) continue;
        if (depth > limits.max_depth)
            throw YamlLimitError(where(node) + "nested deeper than " + std::to_string(limits.max_depth) +
                                 " levels");
        for (auto it = node.begin(); it != node.end(); ++it) {
            if (node.IsMap()) {
                todo.emplace_back(it->first, depth + 1);
                todo.emplace_back(it->second, depth + 1);
            } else {
                todo.emplace_back(*it, depth + 1);
            }
        }
    }
}

}  // namespace vigil::common
