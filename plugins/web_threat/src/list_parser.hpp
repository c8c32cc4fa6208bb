// The list formats (../shared/corpus/blocklists/FORMATS.md): URLhaus CSV and
// host file, PhishTank CSV, hosts files, plain domain / URL / IP-CIDR lists
// and LOKI c2 IOC lists. Each line is parsed on its own; a malformed line is
// skipped and named ("file:line: reason"), and a list where more than one
// data line in ten is malformed is refused as a whole (wrong format given,
// or not a list at all).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "list_set.hpp"

namespace vigil::web_threat {

class ListError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

const char* format_name(ListFormat f);
std::optional<ListFormat> format_from_name(std::string_view name);
// The category a feed is about when the settings do not say.
Category default_category(ListFormat f);
// Host files and the URLhaus host file name exact hosts; domain lists
// block whole domains.
bool default_suffix(ListFormat f);

struct ListSpec {
    std::string name;
    std::string path;  // empty for inline content
    ListFormat format = ListFormat::domains;
    Category category = Category::malicious;
    bool suffix = true;
    bool operator==(const ListSpec&) const = default;
};

struct LoadReport {
    uint64_t lines = 0;       // all lines
    uint64_t data_lines = 0;  // not blank, not a comment
    uint64_t entries = 0;     // domains + URLs + IPs added
    uint64_t invalid = 0;
    std::vector<std::string> problems;  // the first kMaxProblems, "source:line: why"
    static constexpr size_t kMaxProblems = 10;
};

constexpr size_t kMaxLineBytes = 16384;

// Parses one list line by line into `out` (after out.begin_list()).
class ListParser {
public:
    ListParser(ListSetBuilder& out, const ListSpec& spec, std::string source);
    // One line without its end-of-line characters.
    void line(std::string_view text);
    // A line longer than kMaxLineBytes (its text was not kept).
    void overlong_line();
    // The report; throws ListError when the list is refused.
    LoadReport finish();

private:
    void invalid(const std::string& why);
    void data_line(std::string_view text);
    void csv_row(std::string_view text);
    bool csv_header(const std::vector<std::string>& fields);
    void hosts_line(std::string_view text);
    void domain_or_ip(std::string_view text, bool allow_ip);
    void url(std::string_view text);

    ListSetBuilder& out_;
    ListSpec spec_;
    std::string source_;
    LoadReport report_;
    int url_column_ = -1;  // CSV: from the header, else the format's default
};

// Parses text already in memory (lists sent with web_threat.set_lists).
LoadReport parse_list_text(ListSetBuilder& out, const ListSpec& spec, std::string_view text,
                           const std::string& source);

// Reads and parses a list file in chunks (lists may be hundreds of MB).
// ListError names the file: missing, not a regular file, larger than
// `max_bytes`, unreadable, or refused.
LoadReport load_list_file(ListSetBuilder& out, const ListSpec& spec, uint64_t max_bytes);

}  // namespace vigil::web_threat
