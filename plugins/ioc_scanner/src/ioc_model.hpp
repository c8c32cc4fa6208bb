// The parsed form of an OpenIOC 1.0 / 1.1 document: metadata plus a tree of
// Indicator (AND/OR) nodes whose leaves are IndicatorItems. Parsing only
// records what the file says; compiling the tree for evaluation (terms,
// typed values, regexes) happens in compiled_ioc.hpp.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace vigil::ioc_scanner {

enum class Operator { And, Or };

// Conditions of 1.0 (is, isnot, contains, containsnot) and 1.1 (is, contains,
// matches, starts-with, ends-with, greater-than, less-than). The 1.0 negative
// conditions are normalized to the positive one plus negate = true.
enum class Condition { Is, Contains, Matches, StartsWith, EndsWith, GreaterThan, LessThan };

struct IndicatorItem {
    std::string id;
    Condition condition = Condition::Is;
    std::string condition_text;  // as written in the file (for evidence)
    bool negate = false;
    bool preserve_case = false;
    std::string document;      // Context/@document, e.g. "FileItem"
    std::string search;        // Context/@search, e.g. "FileItem/FileName"
    std::string context_type;  // Context/@type, e.g. "mir", "network", "yara"
    std::string content_type;  // Content/@type, e.g. "string", "md5", "int"
    std::string content;       // Content text
    int line = 0;              // where the item starts in the file
};

struct Indicator {
    std::string id;
    Operator op = Operator::Or;
    std::vector<IndicatorItem> items;
    std::vector<std::unique_ptr<Indicator>> children;
    int line = 0;
};

struct Ioc {
    std::string version;  // "1.0" or "1.1"
    std::string id;
    std::string short_description;
    std::string description;
    std::string authored_by;
    std::string authored_date;
    std::string last_modified;
    std::string source;  // file path or "inline #N"
    // The criteria (1.1) / definition (1.0): top-level indicators, OR-ed.
    std::vector<std::unique_ptr<Indicator>> roots;
};

}  // namespace vigil::ioc_scanner
