#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <string>

#include "vigil/common/yaml_limits.hpp"

using namespace vigil::common;

TEST_CASE("yaml limits: ordinary documents pass") {
    CHECK_NOTHROW(check_yaml_limits(YAML::Load("agent:\n  state_dir: /var/lib/vigil\nplugins:\n  a: {enabled: true}\n")));
    CHECK_NOTHROW(check_yaml_limits(YAML::Load("")));
    CHECK_NOTHROW(check_yaml_limits(YAML::Load("x: &a [1, 2]\ny: *a\n")));
}

TEST_CASE("yaml limits: deep nesting is refused with its line") {
    std::string flow(100, '[');
    flow += std::string(100, ']');
    CHECK_THROWS_WITH_AS(check_yaml_limits(YAML::Load(flow)), doctest::Contains("nested deeper than 64 levels"),
                         YamlLimitError);
    std::string block;
    for (int i = 0; i < 70; ++i) block += std::string(size_t(i) * 2, ' ') + "k" + std::to_string(i) + ":\n";
    CHECK_THROWS_WITH_AS(check_yaml_limits(YAML::Load(block)), doctest::Contains("line 65: nested"), YamlLimitError);
    CHECK_NOTHROW(check_yaml_limits(YAML::Load(block), {.max_depth = 100, .max_nodes = 1000}));
}

TEST_CASE("yaml limits: alias expansion (billion laughs) hits the node budget quickly") {
    std::string doc = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 10; ++i) {
        doc += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
        for (int j = 0; j < 10; ++j) doc += (j ? ", *a" : "*a") + std::to_string(i - 1);
        doc += "]\n";
    }
    // 10^10 nodes once expanded.
    CHECK_THROWS_WITH_AS(check_yaml_limits(YAML::Load(doc)), doctest::Contains("once aliases are expanded"),
                         YamlLimitError);
}

TEST_CASE("yaml documents: streams on which yaml-cpp's LoadAll never returns are refused") {
    for (const char* bad : {", a", "a: 1\n---\n, b", "        P: 'x'\n       , C: 1", "description: |\n%    x:\n       , y:"}) {
        CAPTURE(bad);
        CHECK_THROWS_WITH_AS(check_yaml_documents(bad), doctest::Contains("more than 64 YAML documents"), YamlLimitError);
    }
    std::string many;
    for (int i = 0; i < 65; ++i) many += "---\na: 1\n";
    CHECK_THROWS_AS(check_yaml_documents(many), YamlLimitError);
    CHECK_NOTHROW(check_yaml_documents(many, 65));
    for (const char* ok : {"", "a: 1", "a: [1, 2]\n---\nb: 2", "a: |\n  , b", "a: foo\n  , bar"}) {
        CAPTURE(ok);
        CHECK_NOTHROW(check_yaml_documents(ok));
    }
    CHECK_THROWS_AS(check_yaml_documents("a: [1"), YAML::Exception);  // parse errors are the parser's own
}
