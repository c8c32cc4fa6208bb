#include "list_set.hpp"

#include <random>
#include <stdexcept>
#include <vigil/enum_table.hpp>

#include "host_name.hpp"

namespace vigil::web_threat {

namespace {

uint64_t random_seed() {
    std::random_device rd;
    return (uint64_t(rd()) << 32) ^ rd();
}

Match make_match(MatchKind kind, const EntryMeta& m, Category c, std::string entry) {
    return Match{kind, c, m.list(), std::move(entry)};
}

}  // namespace

const char* match_kind_name(MatchKind k) {
    static constexpr EnumName<MatchKind> kNames[] = {
        {MatchKind::domain, "domain"}, {MatchKind::url, "url"}, {MatchKind::ip, "ip"}};
    return enum_name(kNames, k, "domain");
}

std::optional<Match> ListSet::match_host(std::string_view host, CategoryMask enabled) const {
    if (domains_.size() == 0 || host.empty()) return std::nullopt;
    bool exact = true;
    for (std::string_view name = host; !name.empty(); name = parent_domain(name), exact = false) {
        const EntryMeta* m = domains_.find(fingerprint(name, seed_));
        if (!m || (!exact && !m->suffix())) continue;
        if (auto c = strongest(m->categories(), enabled)) return make_match(MatchKind::domain, *m, *c, std::string(name));
    }
    return std::nullopt;
}

std::optional<Match> ListSet::match_url(const CanonicalUrl& url, CategoryMask enabled) const {
    if (urls_.size() == 0) return std::nullopt;
    for (auto& e : url_expressions(url)) {
        const EntryMeta* m = urls_.find(fingerprint(e, seed_));
        if (!m) continue;
        if (auto c = strongest(m->categories(), enabled)) return make_match(MatchKind::url, *m, *c, std::move(e));
    }
    return std::nullopt;
}

uint64_t ListSet::ip_key(const common::IpAddress& masked, unsigned length) const {
    char buf[18];
    buf[0] = char(masked.family);
    buf[1] = char(length);
    const size_t n = masked.is_v4() ? 4 : 16;
    for (size_t i = 0; i < n; ++i) buf[2 + i] = char(masked.bytes[i]);
    return fingerprint(std::string_view(buf, 2 + n), seed_);
}

std::optional<Match> ListSet::match_ip(const common::IpAddress& raw, CategoryMask enabled) const {
    if (ips_.size() == 0 || raw.empty()) return std::nullopt;
    const common::IpAddress ip = raw.unmapped();
    const unsigned bits = ip.bits();
    // Longest prefix first, so the most specific entry is reported.
    for (unsigned len = bits + 1; len-- > 0;) {
        if (ip.is_v4() ? !v4_lengths_[len] : !v6_lengths_[len]) continue;
        const auto p = common::IpPrefix::of(ip, len);
        const EntryMeta* m = ips_.find(ip_key(p.address, len));
        if (!m) continue;
        if (auto c = strongest(m->categories(), enabled)) return make_match(MatchKind::ip, *m, *c, p.text());
    }
    return std::nullopt;
}

std::vector<common::IpPrefix> ListSet::ip_prefixes(CategoryMask enabled) const {
    std::vector<common::IpPrefix> out;
    for (const auto& [prefix, category] : ip_entries_)
        if (enabled & bit(category)) out.push_back(prefix);
    return out;
}

size_t ListSet::memory_bytes() const {
    size_t n = sizeof(*this) + domains_.memory_bytes() + urls_.memory_bytes() + ips_.memory_bytes() +
               ip_entries_.capacity() * sizeof(ip_entries_[0]);
    for (const auto& l : lists_) n += sizeof(l) + l.name.capacity() + l.source.capacity();
    return n;
}

ListSetBuilder::ListSetBuilder() : set_(std::make_shared<ListSet>()) { set_->seed_ = random_seed(); }

void ListSetBuilder::begin_list(ListInfo info) {
    if (set_->lists_.size() >= EntryMeta::kMaxLists)
        throw std::length_error("more than " + std::to_string(EntryMeta::kMaxLists) + " lists");
    set_->lists_.push_back(std::move(info));
    list_start_[0] = domains_.size();
    list_start_[1] = urls_.size();
    list_start_[2] = ips_.size();
    list_start_[3] = set_->ip_entries_.size();
}

void ListSetBuilder::abandon_list() {
    FingerprintTable::Pending* pending[] = {&domains_, &urls_, &ips_};
    for (size_t i = 0; i < 3; ++i) {
        pending[i]->keys.resize(list_start_[i]);
        pending[i]->metas.resize(list_start_[i]);
    }
    set_->ip_entries_.resize(list_start_[3]);
    ListInfo& l = current();
    l.domains = l.urls = l.ips = 0;
}

EntryMeta ListSetBuilder::meta(bool suffix) const {
    return EntryMeta::make(bit(set_->lists_.back().category), suffix, unsigned(set_->lists_.size() - 1));
}

void ListSetBuilder::add_domain(std::string_view domain, bool suffix) {
    domains_.add(fingerprint(domain, set_->seed_), meta(suffix));
    ++current().domains;
}

void ListSetBuilder::add_url(const CanonicalUrl& url) {
    urls_.add(fingerprint(url.expression(), set_->seed_), meta(false));
    ++current().urls;
}

void ListSetBuilder::add_ip(const common::IpPrefix& prefix) {
    common::IpPrefix p = common::IpPrefix::of(prefix.address, prefix.length);
    if (prefix.address.is_v4_mapped() && prefix.length >= 96)
        p = common::IpPrefix::of(prefix.address.unmapped(), prefix.length - 96);
    ips_.add(set_->ip_key(p.address, p.length), meta(false));
    if (p.address.is_v4())
        set_->v4_lengths_.set(p.length);
    else
        set_->v6_lengths_.set(p.length);
    set_->ip_entries_.emplace_back(p, current().category);
    ++current().ips;
}

std::shared_ptr<const ListSet> ListSetBuilder::finish() {
    set_->domains_ = FingerprintTable(std::move(domains_));
    set_->urls_ = FingerprintTable(std::move(urls_));
    set_->ips_ = FingerprintTable(std::move(ips_));
    std::shared_ptr<const ListSet> out = std::move(set_);
    set_ = std::make_shared<ListSet>();
    set_->seed_ = random_seed();
    return out;
}

ListHolder::ListHolder(std::shared_ptr<const ListSet> initial) : set_(std::move(initial)) {
    if (!set_) set_ = ListSetBuilder().finish();
}

std::shared_ptr<const ListSet> ListHolder::get() const {
    std::lock_guard<std::mutex> g(mu_);
    return set_;
}

void ListHolder::set(std::shared_ptr<const ListSet> next) {
    std::lock_guard<std::mutex> g(mu_);
    set_.swap(next);
    // The old set is released outside the lock (next's destructor).
}

}  // namespace vigil::web_threat
