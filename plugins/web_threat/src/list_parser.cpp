#include "list_parser.hpp"

#include <vigil/enum_table.hpp>

#include "csv.hpp"
#include "host_name.hpp"

namespace vigil::web_threat {

namespace {

constexpr EnumName<ListFormat> kFormats[] = {
    {ListFormat::urlhaus_csv, "urlhaus_csv"}, {ListFormat::urlhaus_hostfile, "urlhaus_hostfile"},
    {ListFormat::phishtank_csv, "phishtank_csv"}, {ListFormat::hosts, "hosts"},
    {ListFormat::domains, "domains"}, {ListFormat::urls, "urls"},
    {ListFormat::ips, "ips"}, {ListFormat::loki_c2, "loki_c2"},
};

// Names a hosts file maps to itself, not block entries.
bool local_host_name(std::string_view h) {
    static constexpr std::string_view kLocal[] = {
        "localhost", "localhost.localdomain", "local", "broadcasthost", "ip6-localhost", "ip6-loopback",
        "ip6-localnet", "ip6-mcastprefix", "ip6-allnodes", "ip6-allrouters", "ip6-allhosts", "0.0.0.0"};
    for (auto l : kLocal)
        if (h == l) return true;
    return false;
}

// The addresses a hosts file sends blocked names to.
bool sink_address(std::string_view a) { return a == "0.0.0.0" || a == "127.0.0.1" || a == "::" || a == "::1"; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// The text before a " #" / "\t#" comment (a '#' inside a URL is kept).
std::string_view strip_comment(std::string_view s) {
    for (size_t i = 1; i < s.size(); ++i)
        if (s[i] == '#' && is_space(s[i - 1])) return trim(s.substr(0, i));
    return s;
}

std::string printable(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 80)) out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c);
    if (s.size() > 80) out += "...";
    return out;
}

}  // namespace

const char* format_name(ListFormat f) { return enum_name(kFormats, f, "domains"); }
std::optional<ListFormat> format_from_name(std::string_view name) { return enum_from_name(kFormats, name); }

Category default_category(ListFormat f) {
    return f == ListFormat::phishtank_csv ? Category::phishing : Category::malicious;
}

bool default_suffix(ListFormat f) { return f != ListFormat::hosts && f != ListFormat::urlhaus_hostfile; }

ListParser::ListParser(ListSetBuilder& out, const ListSpec& spec, std::string source)
    : out_(out), spec_(spec), source_(std::move(source)) {
    ListInfo info;
    info.name = spec.name;
    info.source = source_;
    info.format = spec.format;
    info.category = spec.category;
    info.suffix = spec.suffix;
    out_.begin_list(std::move(info));
}

void ListParser::invalid(const std::string& why) {
    ++report_.invalid;
    ++out_.current().invalid;
    if (report_.problems.size() < LoadReport::kMaxProblems)
        report_.problems.push_back(source_ + ":" + std::to_string(report_.lines) + ": " + why);
}

void ListParser::overlong_line() {
    ++report_.lines;
    ++report_.data_lines;
    invalid("line longer than " + std::to_string(kMaxLineBytes) + " bytes");
}

void ListParser::line(std::string_view text) {
    ++report_.lines;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find('\0') != std::string_view::npos) {
        ++report_.data_lines;
        return invalid("a NUL byte (not a text list)");
    }
    const std::string_view t = trim(text);
    if (t.empty()) return;
    if (t.front() == '#') {
        // URLhaus puts its column header in a comment: "# id,dateadded,url,...".
        std::vector<std::string> fields;
        if (spec_.format == ListFormat::urlhaus_csv && url_column_ < 0 && split_csv(trim(t.substr(1)), fields))
            csv_header(fields);
        return;
    }
    ++report_.data_lines;
    data_line(t);
}

void ListParser::data_line(std::string_view t) {
    switch (spec_.format) {
        case ListFormat::urlhaus_csv:
        case ListFormat::phishtank_csv: return csv_row(t);
        case ListFormat::urlhaus_hostfile:
        case ListFormat::hosts: return hosts_line(strip_comment(t));
        case ListFormat::domains: return domain_or_ip(strip_comment(t), true);
        case ListFormat::urls: return url(strip_comment(t));
        case ListFormat::ips: {
            std::string_view v = strip_comment(t);
            v = trim(v.substr(0, v.find(';')));  // "192.0.2.0/24 ; SBL123" (Spamhaus text)
            std::string err;
            auto p = common::parse_ip_prefix(v, &err);
            if (!p) return invalid("'" + printable(v) + "' is not an IP address or CIDR: " + err);
            out_.add_ip(*p);
            ++report_.entries;
            return;
        }
        case ListFormat::loki_c2: return domain_or_ip(trim(t.substr(0, t.find(';'))), true);
    }
}

void ListParser::csv_row(std::string_view text) {
    std::vector<std::string> fields;
    if (!split_csv(text, fields)) return invalid("unbalanced quotes in a CSV row");
    if (url_column_ < 0) {
        if (csv_header(fields)) {
            --report_.data_lines;  // the header row itself is not data
            return;
        }
        url_column_ = spec_.format == ListFormat::urlhaus_csv ? 2 : 1;
    }
    if (size_t(url_column_) >= fields.size())
        return invalid("the row has " + std::to_string(fields.size()) + " fields, no url column " +
                       std::to_string(url_column_ + 1));
    url(trim(fields[size_t(url_column_)]));
}

bool ListParser::csv_header(const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); ++i)
        if (trim(fields[i]) == "url") {
            url_column_ = int(i);
            return true;
        }
    return false;
}

void ListParser::hosts_line(std::string_view t) {
    const size_t sp = t.find_first_of(" \t");
    if (sp == std::string_view::npos) return invalid("expected '<address> <host>...', got '" + printable(t) + "'");
    const std::string_view addr = t.substr(0, sp);
    if (!common::parse_ip_address(addr)) return invalid("'" + printable(addr) + "' is not an IP address");
    // A name mapped to a real address is configuration, not a block entry.
    if (!sink_address(addr)) return;
    std::string_view rest = trim(t.substr(sp));
    while (!rest.empty()) {
        const size_t end = rest.find_first_of(" \t");
        const std::string host = canonical_host(rest.substr(0, end));
        rest = end == std::string_view::npos ? std::string_view() : trim(rest.substr(end));
        if (local_host_name(host)) continue;
        std::string why;
        if (!valid_domain(host, &why)) {
            invalid("'" + printable(host) + "': " + why);
            continue;
        }
        out_.add_domain(host, spec_.suffix);
        ++report_.entries;
    }
}

void ListParser::domain_or_ip(std::string_view t, bool allow_ip) {
    // Only text that starts with a digit or holds a ':' can be an address.
    if (allow_ip && !t.empty() && ((t[0] >= '0' && t[0] <= '9') || t.find(':') != std::string_view::npos)) {
        if (auto p = common::parse_ip_prefix(t)) {
            out_.add_ip(*p);
            ++report_.entries;
            return;
        }
    }
    bool suffix = spec_.suffix;
    if (t.substr(0, 2) == "*.") t.remove_prefix(2), suffix = true;
    else if (t.substr(0, 1) == ".") t.remove_prefix(1), suffix = true;
    const std::string host = canonical_host(t);
    std::string why;
    if (!valid_domain(host, &why)) return invalid("'" + printable(t) + "' is not a domain name: " + why);
    out_.add_domain(host, suffix);
    ++report_.entries;
}

void ListParser::url(std::string_view t) {
    if (t.empty()) return invalid("an empty URL");
    std::string why;
    auto u = canonicalize_url(t, &why);
    if (!u) return invalid("'" + printable(t) + "' is not a URL: " + why);
    out_.add_url(*u);
    ++report_.entries;
}

LoadReport ListParser::finish() {
    if (report_.invalid > 0 && report_.invalid * 10 > report_.data_lines)
        throw ListError("list '" + spec_.name + "' (" + format_name(spec_.format) + "): " +
                        std::to_string(report_.invalid) + " of " + std::to_string(report_.data_lines) +
                        " lines are malformed, the first: " + report_.problems.front());
    return report_;
}

LoadReport parse_list_text(ListSetBuilder& out, const ListSpec& spec, std::string_view text,
                           const std::string& source) {
    ListParser p(out, spec, source);
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        if (line.size() > kMaxLineBytes)
            p.overlong_line();
        else
            p.line(line);
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    return p.finish();
}

}  // namespace vigil::web_threat
