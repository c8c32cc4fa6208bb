// The loaded block lists (or the trusted addresses): domains, URL
// expressions and IP prefixes from any number of lists, immutable once
// built. A new set is built aside and swapped in whole (ListHolder), so a
// lookup never sees half a list.
#pragma once

#include <bitset>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <vigil/common/ip_address.hpp>

#include "category.hpp"
#include "fingerprint_table.hpp"
#include "url_canon.hpp"

namespace vigil::web_threat {

enum class ListFormat : uint8_t {
    urlhaus_csv,
    urlhaus_hostfile,
    phishtank_csv,
    hosts,
    domains,
    urls,
    ips,
    loki_c2,
};

// What one list contributed.
struct ListInfo {
    std::string name;
    std::string source;  // the file, or "set_lists" for lists sent by the central node
    ListFormat format = ListFormat::domains;
    Category category = Category::malicious;
    bool suffix = true;  // domain entries also match every name below them
    uint64_t domains = 0, urls = 0, ips = 0;
    uint64_t invalid = 0;  // lines skipped as malformed
};

enum class MatchKind : uint8_t { domain, url, ip };
const char* match_kind_name(MatchKind k);

struct Match {
    MatchKind kind = MatchKind::domain;
    Category category = Category::other;
    unsigned list = 0;   // index into ListSet::lists()
    std::string entry;   // the domain, URL expression or address that matched
};

class ListSet {
public:
    // `host` is canonical (canonical_host()); every parent name is tried
    // against suffix entries.
    std::optional<Match> match_host(std::string_view host, CategoryMask enabled) const;
    // At most 30 Safe Browsing expressions of the URL.
    std::optional<Match> match_url(const CanonicalUrl& url, CategoryMask enabled) const;
    std::optional<Match> match_ip(const common::IpAddress& ip, CategoryMask enabled) const;
    // Every IP entry of an enabled category (IPv4-mapped ones as IPv4),
    // for the kernel's address sets; duplicates and overlaps included.
    std::vector<common::IpPrefix> ip_prefixes(CategoryMask enabled) const;

    const std::vector<ListInfo>& lists() const { return lists_; }
    size_t domain_count() const { return domains_.size(); }
    size_t url_count() const { return urls_.size(); }
    size_t ip_count() const { return ips_.size(); }
    size_t memory_bytes() const;
    size_t domain_table_bytes() const { return domains_.memory_bytes(); }
    bool empty() const { return domains_.size() + urls_.size() + ips_.size() == 0; }

private:
    friend class ListSetBuilder;
    friend struct SnapshotAccess;
    uint64_t ip_key(const common::IpAddress& masked, unsigned length) const;

    uint64_t seed_ = 0;
    FingerprintTable domains_, urls_, ips_;
    std::bitset<33> v4_lengths_;
    std::bitset<129> v6_lengths_;
    // The IP entries themselves (the table keeps only fingerprints), with
    // the category of the list that gave them.
    std::vector<std::pair<common::IpPrefix, Category>> ip_entries_;
    std::vector<ListInfo> lists_;
};

class ListSetBuilder {
public:
    ListSetBuilder();
    // Starts the next list; its entries carry its category. Throws
    // std::length_error beyond EntryMeta::kMaxLists lists.
    void begin_list(ListInfo info);
    ListInfo& current() { return set_->lists_.back(); }
    size_t list_count() const { return set_->lists_.size(); }
    // Drops every entry of the current list (refused half-way); its
    // ListInfo stays, with zero counts.
    void abandon_list();

    // `domain` is canonical and valid; `suffix` overrides the list's setting
    // for a "*.name" entry.
    void add_domain(std::string_view domain, bool suffix);
    void add_url(const CanonicalUrl& url);
    void add_ip(const common::IpPrefix& prefix);

    std::shared_ptr<const ListSet> finish();

private:
    EntryMeta meta(bool suffix) const;

    std::shared_ptr<ListSet> set_;
    FingerprintTable::Pending domains_, urls_, ips_;
    size_t list_start_[4] = {0, 0, 0, 0};  // pending sizes when the current list began
};

// The current set; swapped atomically, readers keep the set they took.
class ListHolder {
public:
    explicit ListHolder(std::shared_ptr<const ListSet> initial = nullptr);
    std::shared_ptr<const ListSet> get() const;
    void set(std::shared_ptr<const ListSet> next);

private:
    mutable std::mutex mu_;
    std::shared_ptr<const ListSet> set_;
};

}  // namespace vigil::web_threat
