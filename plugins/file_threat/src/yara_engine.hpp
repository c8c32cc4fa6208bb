#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct YR_RULES;

namespace vigil::file_threat {

// Compiled YARA rules (libyara). All configured rule files are compiled in one
// compiler and one namespace, in the configured order (a directory contributes
// its *.yar / *.yara files sorted by path), so files that depend on a common
// file (e.g. a private rule in 000_common_rules.yar) compile when it comes
// first. The LOKI/THOR external variables filename, filepath, extension,
// filetype and owner are declared as strings and set per scanned file.
class YaraRules {
public:
    struct Externals {
        std::string filename;   // base name
        std::string filepath;   // directory part (LOKI semantics)
        std::string extension;  // ".php"
        std::string filetype;   // "ELF", "EXE", ...
        std::string owner;      // user name of the file owner
    };
    struct Match {
        std::string rule;
        std::string description;
        std::string author;
        std::string tags;  // comma-separated
        int score = 0;     // LOKI "score" meta, 0 when absent
    };
    enum class Status { Ok, Timeout, Error };

    // Compiles; throws std::runtime_error whose message lists every error as
    // "file:line: message". An empty list yields an empty rule set.
    static std::shared_ptr<const YaraRules> compile(const std::vector<std::string>& sources);

    ~YaraRules();
    YaraRules(const YaraRules&) = delete;
    YaraRules& operator=(const YaraRules&) = delete;

    // Part of a file at its offset (a whole file is one block).
    struct Block {
        uint64_t offset = 0;
        std::string_view data;
    };
    // Scans the blocks of one file of `file_size` bytes (YARA's `filesize`;
    // offsets and the modules' view of the first block are the file's). A
    // string spanning two blocks is not matched. timeout_s >= 1. Thread-safe
    // (one libyara scanner per call).
    Status scan(const std::vector<Block>& blocks, uint64_t file_size, const Externals& ext, int timeout_s,
                std::vector<Match>& out, std::string& error) const;
    // One buffer that is the whole file.
    Status scan(std::string_view data, const Externals& ext, int timeout_s, std::vector<Match>& out,
                std::string& error) const {
        return scan({Block{0, data}}, data.size(), ext, timeout_s, out, error);
    }

    size_t rule_count() const { return rule_count_; }
    const std::vector<std::string>& files() const { return files_; }
    bool empty() const { return rules_ == nullptr; }

private:
    YaraRules() = default;
    YR_RULES* rules_ = nullptr;
    size_t rule_count_ = 0;
    std::vector<std::string> files_;
};

// Expands the configured sources into the ordered list of rule files; throws
// when a source does not exist.
std::vector<std::string> expand_rule_sources(const std::vector<std::string>& sources);

}  // namespace vigil::file_threat
