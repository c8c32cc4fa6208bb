#include "data_plane.hpp"

#include "nft_probe.hpp"

#include <cctype>
#include <stdexcept>

namespace vigil::network_threat {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// The value after `word ` in an element description ("1.2.3.4 timeout 1m expires 59s").
std::string_view after(std::string_view text, std::string_view word) {
    const size_t at = text.find(word);
    if (at == std::string_view::npos) return {};
    std::string_view rest = text.substr(at + word.size());
    const size_t end = rest.find(' ');
    return end == std::string_view::npos ? rest : rest.substr(0, end);
}

}  // namespace

std::optional<int64_t> parse_nft_duration_ms(std::string_view text) {
    if (text.empty()) return std::nullopt;
    int64_t total = 0;
    size_t i = 0;
    while (i < text.size()) {
        int64_t v = 0;
        const size_t start = i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && i - start < 12)
            v = v * 10 + (text[i++] - '0');
        if (i == start) return std::nullopt;
        const size_t ustart = i;
        while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
        const std::string_view unit = text.substr(ustart, i - ustart);
        if (unit == "d")
            total += v * 86400000;
        else if (unit == "h")
            total += v * 3600000;
        else if (unit == "m")
            total += v * 60000;
        else if (unit == "s")
            total += v * 1000;
        else if (unit == "ms")
            total += v;
        else
            return std::nullopt;
    }
    return total;
}

std::vector<KernelElement> parse_set_listing(std::string_view text, std::string_view set) {
    std::vector<KernelElement> out;
    const size_t open = text.find("elements = {");
    if (open == std::string_view::npos) return out;
    const size_t close = text.find('}', open);
    std::string_view body =
        text.substr(open + 12, close == std::string_view::npos ? std::string_view::npos : close - open - 12);
    for (size_t pos = 0; pos < body.size();) {
        size_t comma = body.find(',', pos);
        if (comma == std::string_view::npos) comma = body.size();
        const std::string_view item = trim(body.substr(pos, comma - pos));
        pos = comma + 1;
        const size_t sp = item.find(' ');
        auto prefix = common::parse_ip_prefix(item.substr(0, sp));
        if (!prefix) continue;
        KernelElement e{*prefix, std::string(set), 0};
        if (auto ms = parse_nft_duration_ms(after(item, "expires "))) e.expires_ms = *ms;
        out.push_back(std::move(e));
    }
    return out;
}

void DataPlane::run(const std::string& text, const char* what) {
    const auto r = nft_.run(text);
    if (!r.ok) throw std::runtime_error(std::string(what) + ": nftables refused it: " + r.error);
}

void DataPlane::apply(const DataPlaneSpec& spec) {
    if (spec.table != table_) throw std::invalid_argument("data plane table mismatch");
    run(build_ruleset(spec), "applying the table");
}

void DataPlane::add(const TimedPrefix& t, bool attack) {
    run(add_element_text(table_, t, attack), "adding a ban");
}

void DataPlane::remove(const common::IpPrefix& p, bool attack) {
    run(remove_element_text(table_, p, attack), "removing a ban");
}

void DataPlane::set_allow(const std::vector<common::IpPrefix>& allow) {
    run(allow_update_text(table_, allow), "updating the never-block sets");
}

void DataPlane::remove_table() { nft_.delete_table("inet", table_); }

bool DataPlane::exists() {
    if (auto present = nft_inet_table_exists(table_)) return *present;
    return nft_.table_exists("inet", table_);
}

std::vector<KernelElement> DataPlane::list() {
    std::vector<KernelElement> out;
    for (const char* set : {"ban4", "ban6", "ban6net", "attack4", "attack6"}) {
        const auto r = nft_.run("list set inet " + table_ + " " + set);
        if (!r.ok) continue;
        auto part = parse_set_listing(r.output, set);
        out.insert(out.end(), part.begin(), part.end());
    }
    return out;
}

uint64_t DataPlane::banned_packets() {
    const auto r = nft_.run("list counter inet " + table_ + " banned");
    if (!r.ok) return 0;
    const auto v = after(r.output, "packets ");
    uint64_t n = 0;
    for (char ch : v) {
        if (!std::isdigit(static_cast<unsigned char>(ch))) break;
        n = n * 10 + uint64_t(ch - '0');
    }
    return n;
}

}  // namespace vigil::network_threat
