#include "distress.hpp"

#include <sstream>
#include <vector>
#include <vigil/common/lines.hpp>
#include <vigil/common/small_file.hpp>

namespace vigil::network_threat {

namespace {

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && line[i] == ' ') ++i;
        const size_t start = i;
        while (i < line.size() && line[i] != ' ') ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

bool to_u64(std::string_view s, uint64_t& v) {
    if (s.empty()) return false;
    bool negative = s[0] == '-';  // snmp's MaxConn is -1
    if (negative) s.remove_prefix(1);
    v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + uint64_t(c - '0');
    }
    if (negative) v = 0;
    return true;
}

std::string read_text(const std::string& path) { return common::read_file_or_empty(path, 1 << 20); }

uint64_t get(const std::map<std::string, uint64_t>& m, const char* k) {
    auto it = m.find(k);
    return it == m.end() ? 0 : it->second;
}

}  // namespace

std::map<std::string, uint64_t> parse_snmp_counters(std::string_view text) {
    std::map<std::string, uint64_t> out;
    const std::vector<std::string_view> lines = common::split_lines(text);
    for (size_t i = 0; i + 1 < lines.size(); ++i) {
        const auto names = words(lines[i]), values = words(lines[i + 1]);
        if (names.empty() || values.empty() || names[0] != values[0] || names[0].back() != ':' ||
            names.size() != values.size())
            continue;
        const std::string group(names[0].substr(0, names[0].size() - 1));
        for (size_t k = 1; k < names.size(); ++k) {
            uint64_t v = 0;
            if (to_u64(values[k], v)) out[group + "." + std::string(names[k])] = v;
        }
        ++i;
    }
    return out;
}

Distress DistressMonitor::rates(const std::map<std::string, uint64_t>& a,
                                const std::map<std::string, uint64_t>& b, int64_t ms) {
    Distress d;
    if (ms <= 0 || a.empty() || b.empty()) return d;
    const auto delta = [&](const char* k) {
        const uint64_t x = get(a, k), y = get(b, k);
        return y >= x ? double(y - x) : 0.0;
    };
    const double s = double(ms) / 1000.0;
    d.valid = true;
    d.tcp_incomplete_per_s =
        (delta("TcpExt.EmbryonicRsts") + delta("TcpExt.SyncookiesSent") + delta("TcpExt.TCPReqQFullDrop") +
         delta("TcpExt.ListenDrops") + delta("TcpExt.TCPSynRetrans")) /
        s;
    d.udp_dropped_per_s = (delta("Udp.RcvbufErrors") + delta("Udp.MemErrors") +
                           delta("Udp6.Udp6RcvbufErrors") + delta("Udp6.Udp6MemErrors")) /
                          s;
    return d;
}

Distress DistressMonitor::sample(int64_t now_ms) {
    auto now = parse_snmp_counters(read_text(proc_net_ + "/netstat"));
    auto snmp = parse_snmp_counters(read_text(proc_net_ + "/snmp"));
    now.merge(snmp);
    // /proc/net/snmp6 is "Name value" per line.
    std::istringstream in(read_text(proc_net_ + "/snmp6"));
    std::string name;
    uint64_t v = 0;
    while (in >> name >> v)
        if (name.rfind("Udp6", 0) == 0) now["Udp6." + name] = v;
    // A baseline older than a few seconds would average a burst away: start over.
    constexpr int64_t kStaleMs = 3000;
    Distress d = now_ms - last_ms_ <= kStaleMs ? rates(last_, now, now_ms - last_ms_) : Distress{};
    last_ = std::move(now);
    last_ms_ = now_ms;
    return d;
}

}  // namespace vigil::network_threat
