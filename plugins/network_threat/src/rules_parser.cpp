// Parsing of the Suricata-subset rules (rules.hpp documents the subset).
#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <vigil/common/lines.hpp>

#include "rules.hpp"
#include "rules_regex.hpp"

namespace vigil::network_threat {

namespace {

constexpr size_t kMaxLine = 8192, kMaxContent = 1024, kMaxRules = 10000;

[[noreturn]] void fail(const std::string& why) { throw RuleError(why); }

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

uint32_t parse_number(std::string_view s, const std::string& what, uint64_t max = 0xffffffffu) {
    s = trim(s);
    if (s.empty() || s.size() > 10) fail(what + ": '" + std::string(s) + "' is not a number");
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') fail(what + ": '" + std::string(s) + "' is not a number");
        v = v * 10 + uint64_t(c - '0');
    }
    if (v > max) fail(what + ": " + std::string(s) + " is out of range 0-" + std::to_string(max));
    return uint32_t(v);
}

// Header tokens: whitespace-separated, a [list] stays one token.
std::vector<std::string_view> header_tokens(std::string_view h) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < h.size()) {
        while (i < h.size() && std::isspace(static_cast<unsigned char>(h[i]))) ++i;
        if (i >= h.size()) break;
        const size_t start = i;
        int depth = 0;
        while (i < h.size() && (depth > 0 || !std::isspace(static_cast<unsigned char>(h[i])))) {
            depth += h[i] == '[' ? 1 : h[i] == ']' ? -1 : 0;
            ++i;
        }
        out.push_back(h.substr(start, i - start));
    }
    return out;
}

std::vector<std::string_view> list_items(std::string_view s, const std::string& what) {
    if (s.size() < 2 || s.back() != ']') fail(what + ": unterminated list '" + std::string(s) + "'");
    s = s.substr(1, s.size() - 2);
    if (s.find('[') != std::string_view::npos) fail(what + ": nested lists are not supported");
    std::vector<std::string_view> items;
    for (size_t pos = 0; pos <= s.size();) {
        size_t comma = s.find(',', pos);
        if (comma == std::string_view::npos) comma = s.size();
        const auto item = trim(s.substr(pos, comma - pos));
        if (item.empty()) fail(what + ": empty item in '[" + std::string(s) + "]'");
        items.push_back(item);
        pos = comma + 1;
    }
    return items;
}

AddressSet parse_addresses(std::string_view s, const std::string& what) {
    AddressSet a;
    if (!s.empty() && s[0] == '!') {
        a.negated = true;
        s.remove_prefix(1);
    }
    static const std::set<std::string_view> kAnyVars = {"$HOME_NET",      "$EXTERNAL_NET", "$HTTP_SERVERS",
                                                        "$SMTP_SERVERS",  "$SQL_SERVERS",  "$DNS_SERVERS",
                                                        "$TELNET_SERVERS"};
    if (s == "any" || kAnyVars.count(s)) {
        if (a.negated) fail(what + ": '!" + std::string(s) + "' matches nothing");
        return a;
    }
    if (!s.empty() && s[0] == '$') fail(what + ": unknown variable '" + std::string(s) + "'");
    std::vector<std::string_view> items =
        s.empty() || s[0] != '[' ? std::vector<std::string_view>{s} : list_items(s, what);
    a.any = false;
    for (auto item : items) {
        std::string err;
        auto p = common::parse_ip_prefix(item, &err);
        if (!p) fail(what + ": " + err);
        a.prefixes.push_back(*p);
    }
    return a;
}

PortRange parse_range(std::string_view s, const std::string& what) {
    const size_t colon = s.find(':');
    if (colon == std::string_view::npos) {
        const uint16_t p = uint16_t(parse_number(s, what, 65535));
        return {p, p};
    }
    PortRange r;
    if (colon > 0) r.low = uint16_t(parse_number(s.substr(0, colon), what, 65535));
    if (colon + 1 < s.size()) r.high = uint16_t(parse_number(s.substr(colon + 1), what, 65535));
    if (r.low > r.high) fail(what + ": range '" + std::string(s) + "' is reversed");
    return r;
}

PortSet parse_ports(std::string_view s, const std::string& what) {
    static const std::map<std::string_view, std::string_view> kVars = {
        {"$HTTP_PORTS", "80"},           {"$SSH_PORTS", "22"},        {"$FTP_PORTS", "21"},
        {"$ORACLE_PORTS", "1521"},       {"$SMB_PORTS", "[139,445]"}, {"$REDIS_PORTS", "6379"},
        {"$DOCKER_PORTS", "[2375,2376]"}};
    PortSet ps;
    if (!s.empty() && s[0] == '!') {
        ps.negated = true;
        s.remove_prefix(1);
    }
    if (auto v = kVars.find(s); v != kVars.end()) s = v->second;
    if (s == "any") {
        if (ps.negated) fail(what + ": '!any' matches nothing");
        return ps;
    }
    if (!s.empty() && s[0] == '$') fail(what + ": unknown variable '" + std::string(s) + "'");
    ps.any = false;
    std::vector<std::string_view> items =
        !s.empty() && s[0] == '[' ? list_items(s, what) : std::vector<std::string_view>{s};
    for (auto item : items) ps.ranges.push_back(parse_range(item, what));
    return ps;
}

// A quoted option value with Suricata's escapes \" \; (and \\ unless
// `regex`: a pattern keeps its backslashes for PCRE); returns the text.
std::string unquote(std::string_view v, const std::string& what, bool regex = false) {
    v = trim(v);
    if (v.size() < 2 || v.front() != '"' || v.back() != '"') fail(what + ": value must be in double quotes");
    std::string out;
    for (size_t i = 1; i + 1 < v.size(); ++i) {
        if (v[i] == '\\' && i + 2 < v.size()) {
            const char next = v[i + 1];
            if (next == '"' || next == ';' || (next == '\\' && !regex)) {
                out.push_back(next);
                ++i;
                continue;
            }
            if (!regex) fail(what + ": '\\" + std::string(1, next) + "' is not an escape (\\\", \\;, \\\\)");
        }
        if (v[i] == '"') fail(what + ": unescaped '\"' inside the value");
        out.push_back(v[i]);
    }
    return out;
}

// content text with |41 42| hex blocks.
std::string decode_content(const std::string& text) {
    std::string out;
    bool hex = false;
    std::string digits;
    for (char c : text) {
        if (c == '|') {
            if (hex && !digits.empty()) fail("content: odd number of hex digits in |...|");
            hex = !hex;
            continue;
        }
        if (!hex) {
            out.push_back(c);
            continue;
        }
        if (c == ' ') continue;
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            fail(std::string("content: '") + c + "' is not a hex digit");
        digits.push_back(c);
        if (digits.size() == 2) {
            out.push_back(char(std::stoi(digits, nullptr, 16)));
            digits.clear();
        }
    }
    if (hex) fail("content: unterminated |hex| block");
    if (out.empty()) fail("content: empty");
    if (out.size() > kMaxContent) fail("content: longer than " + std::to_string(kMaxContent) + " bytes");
    return out;
}

// Splits "k1:v1; k2; k3:\"a\\;b\";" into (key, value) pairs.
std::vector<std::pair<std::string, std::string>> split_options(std::string_view s) {
    std::vector<std::pair<std::string, std::string>> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        if (i >= s.size()) break;
        std::string key, value;
        while (i < s.size() && s[i] != ':' && s[i] != ';') key.push_back(s[i++]);
        if (i < s.size() && s[i] == ':') {
            ++i;
            bool quoted = false;
            while (i < s.size() && (quoted || s[i] != ';')) {
                if (s[i] == '\\' && i + 1 < s.size())
                    value.push_back(s[i++]);
                else if (s[i] == '"')
                    quoted = !quoted;
                value.push_back(s[i++]);
            }
            if (quoted) fail("option '" + std::string(trim(key)) + "': unterminated quoted value");
        }
        if (i >= s.size()) fail("option '" + std::string(trim(key)) + "' is not terminated by ';'");
        ++i;  // ';'
        out.emplace_back(std::string(trim(key)), std::string(trim(value)));
    }
    return out;
}

void apply_option(Rule& r, const std::string& key, const std::string& value) {
    static const std::set<std::string> kIgnored = {"rev",      "reference", "metadata",
                                                   "priority", "gid",       "fast_pattern"};
    if (key == "msg") {
        r.msg = unquote(value, "msg");
    } else if (key == "sid") {
        r.sid = parse_number(value, "sid");
        if (r.sid == 0) fail("sid: must be above 0");
    } else if (key == "classtype") {
        if (value.empty() || value.size() > 64 || !std::all_of(value.begin(), value.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
            }))
            fail("classtype: '" + value + "' is not a class name");
        r.classtype = value;
    } else if (key == "content") {
        ContentMatch c;
        std::string_view v = value;
        if (!v.empty() && v[0] == '!') {
            c.negated = true;
            v.remove_prefix(1);
        }
        c.bytes = decode_content(unquote(v, "content"));
        r.contents.push_back(std::move(c));
    } else if (key == "nocase" || key == "depth" || key == "offset") {
        if (r.contents.empty()) fail(key + ": no content before it");
        auto& c = r.contents.back();
        if (key == "nocase")
            c.nocase = true;
        else if (key == "depth")
            c.depth = parse_number(value, "depth", 65535);
        else
            c.offset = parse_number(value, "offset", 65535);
        if (c.depth && *c.depth == 0) fail("depth: must be above 0");
    } else if (key == "pcre") {
        if (r.pcre) fail("pcre: only one per rule");
        r.pcre_text = unquote(value, "pcre", true);
        r.pcre = compile_rule_regex(r.pcre_text);
    } else if (key == "flow") {
        // The views point into the bracketed copy, which must outlive the loop.
        const std::string bracketed = "[" + value + "]";
        for (auto& part : list_items(bracketed, "flow"))
            if (part != "to_server" && part != "from_client" && part != "established" && part != "stateless")
                fail("flow: '" + std::string(part) +
                     "' is not supported (inbound packets only: to_server, established)");
    } else if (!kIgnored.count(key)) {
        fail("keyword '" + key + "' is not supported");
    }
}

Rule parse_rule(std::string_view line) {
    const size_t open = line.find('(');
    if (open == std::string_view::npos || line.back() != ')') fail("expected '(options)' after the header");
    const auto h = header_tokens(line.substr(0, open));
    if (h.size() != 7)
        fail("the header needs 7 fields (action proto src sport -> dst dport), got " +
             std::to_string(h.size()));
    Rule r;
    r.action = std::string(h[0]);
    if (r.action != "alert" && r.action != "drop")
        fail("action '" + r.action + "' is not supported (alert, drop)");
    if (h[1] == "tcp")
        r.protocol = 6;
    else if (h[1] == "udp")
        r.protocol = 17;
    else
        fail("protocol '" + std::string(h[1]) + "' is not supported (tcp, udp)");
    r.src = parse_addresses(h[2], "source address");
    r.sport = parse_ports(h[3], "source port");
    if (h[4] != "->") fail("direction '" + std::string(h[4]) + "' is not supported (->)");
    r.dst = parse_addresses(h[5], "destination address");
    r.dport = parse_ports(h[6], "destination port");
    if (r.dport.any || r.dport.negated)
        fail("destination port must list ports or ranges: packets are captured per listed port");
    for (const auto& [k, v] : split_options(line.substr(open + 1, line.size() - open - 2)))
        apply_option(r, k, v);
    if (r.sid == 0) fail("sid is missing");
    if (r.msg.empty()) fail("msg is missing");
    if (r.contents.empty() && !r.pcre) fail("a rule needs content or pcre");
    return r;
}

}  // namespace

RuleSet RuleSet::parse(std::string_view text, std::string_view origin) {
    RuleSet set;
    std::string pending;
    size_t lineno = 0, first_line = 0;
    for (std::string_view line : common::split_lines(text)) {
        ++lineno;
        if (pending.empty()) first_line = lineno;
        const auto where = std::string(origin) + ":" + std::to_string(first_line) + ": ";
        if (line.size() > kMaxLine) throw RuleError(where + "line longer than " + std::to_string(kMaxLine));
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty() && line.back() == '\\') {
            pending += std::string(line.substr(0, line.size() - 1));
            if (pending.size() > kMaxLine)
                throw RuleError(where + "rule longer than " + std::to_string(kMaxLine));
            continue;
        }
        pending += std::string(line);
        const auto t = trim(pending);
        if (!t.empty() && t[0] != '#') {
            if (set.rules_.size() >= kMaxRules)
                throw RuleError(where + "more than " + std::to_string(kMaxRules) + " rules");
            try {
                set.rules_.push_back(parse_rule(t));
                set.rules_.back().line = first_line;
            } catch (const RuleError& e) {
                throw RuleError(where + e.what());
            }
        }
        pending.clear();
    }
    RuleSet checked;
    checked.add(std::move(set));
    return checked;
}

void RuleSet::add(RuleSet other) {
    std::set<uint32_t> sids;
    for (const auto& r : rules_) sids.insert(r.sid);
    for (auto& r : other.rules_) {
        if (!sids.insert(r.sid).second) throw RuleError("sid " + std::to_string(r.sid) + " is defined twice");
        rules_.push_back(std::move(r));
    }
}

}  // namespace vigil::network_threat
