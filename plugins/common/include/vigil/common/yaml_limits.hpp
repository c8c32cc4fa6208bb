#pragma once
// Bounds for YAML documents the agent reads (vigil.yaml, Sigma rules). The
// parser itself stops at a depth of 2000 (yaml-cpp's guard), but every
// converter after it walks the tree recursively and expands aliases, so a
// small file can nest deep enough to exhaust a thread's stack or expand into
// billions of nodes ("billion laughs"). check_yaml_limits walks the tree the
// way a converter would, without recursion and with a node budget, before
// anything else touches it.
//
// Link target: vigil_common_yaml (pulls in yaml-cpp).

#include <cstddef>
#include <stdexcept>

namespace YAML {
class Node;
}

namespace vigil::common {

struct YamlLimits {
    size_t max_depth = 64;          // nested sequences/maps
    size_t max_nodes = 1'000'000;   // nodes visited with aliases expanded
};

class YamlLimitError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Throws YamlLimitError ("line 12: nested deeper than 64 levels", "more than
// 1000000 nodes once aliases are expanded") when the document is over a limit.
void check_yaml_limits(const YAML::Node& root, const YamlLimits& limits = {});

}  // namespace vigil::common
