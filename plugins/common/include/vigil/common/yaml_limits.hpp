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
#include <string_view>

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

// YAML::LoadAll of yaml-cpp 0.7 never returns when a document boundary is followed by a
// flow entry `,` (", a", "---\n, a", a line that dedents below the root node and starts with
// `,`): the parser makes an empty document without consuming the token, again and again,
// and LoadAll collects them until memory runs out (found by sigma_fuzz_rule). Call this on
// the text before LoadAll: it parses the stream once, counting documents, and throws
// YamlLimitError("line 3: more than 64 YAML documents") past the limit. (YAML::Load reads
// only the first document and is not affected.)
void check_yaml_documents(std::string_view text, size_t max_documents = 64);

}  // namespace vigil::common
