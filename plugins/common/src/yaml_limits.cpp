#include "vigil/common/yaml_limits.hpp"

#include <yaml-cpp/yaml.h>

#include <string>
#include <utility>
#include <vector>

namespace vigil::common {

namespace {

std::string where(const YAML::Node& n) {
    const int line = n.Mark().line;
    return line >= 0 ? "line " + std::to_string(line + 1) + ": " : "";
}

}  // namespace

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
