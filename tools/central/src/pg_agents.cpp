// PgStorage, the console's agents page: filters, order and paging in the database. What the
// filters need from the last sync (isolation state, addresses) is computed here whenever an
// agent row is written and kept in derived columns, as SQLite's triggers do for its engine.
// Tags are stored as " a b ", so a tag filter is one LIKE "% a %".
#include <rapidjson/document.h>

#include <sstream>
#include <variant>

#include "pg_storage.hpp"
#include "storage_rows.hpp"

namespace vigil::central {

using pg::Params;

namespace {

constexpr char kSep = '\x1f';  // between searched fields, so a match never spans two

struct Where {
    std::string sql = " WHERE true";
    Params params;

    void add(const std::string& clause, std::variant<int64_t, std::string> v) {
        if (const auto* n = std::get_if<int64_t>(&v)) {
            params.add(*n);
        } else {
            params.add(std::get<std::string>(v));
        }
        sql += " AND " + clause + " $" + std::to_string(params.size());
    }
};

Where where_of(const AgentQuery& q) {
    Where w;
    if (q.agent_id) w.add("a.agent_id =", *q.agent_id);
    if (q.text)
        w.add("(search || chr(31) || lower((coalesce(l.tags, '') || chr(31) || coalesce(l.note, '')) COLLATE \"C\")) LIKE",
              like_contains(ascii_lower(*q.text)));
    if (q.tag) w.add("coalesce(l.tags, '') LIKE", like_contains(" " + ascii_lower(*q.tag) + " "));
    if (q.seen_since_ns) w.add("last_seen_ns >=", *q.seen_since_ns);
    if (q.seen_before_ns) w.add("last_seen_ns <", *q.seen_before_ns);
    if (q.isolated) w.add("isolated =", std::string(*q.isolated ? "true" : "false"));
    return w;
}

}  // namespace

namespace {

struct AgentFacts {
    bool isolated = false;
    std::string search;
};

AgentFacts agent_facts(const AgentRecord& a) {
    AgentFacts f;
    std::string search = a.agent_id + kSep + a.hostname + kSep + a.os + kSep + a.kernel + kSep + a.agent_version + kSep;
    rapidjson::Document info;
    info.Parse(a.info_json.data(), a.info_json.size());
    if (!info.HasParseError() && info.IsObject()) {
        auto iso = info.FindMember("isolation");
        if (iso != info.MemberEnd() && iso->value.IsObject()) {
            auto v = iso->value.FindMember("isolated");
            f.isolated = v != iso->value.MemberEnd() && v->value.IsTrue();
        }
        auto ips = info.FindMember("ips");
        if (ips != info.MemberEnd() && ips->value.IsArray()) {
            bool first = true;
            for (const auto& ip : ips->value.GetArray()) {
                if (!ip.IsString()) continue;
                if (!first) search += kSep;
                search.append(ip.GetString(), ip.GetStringLength());
                first = false;
            }
        }
    }
    f.search = ascii_lower(std::move(search));
    return f;
}

}  // namespace

void write_agent(pg::Conn& c, const AgentRecord& a, bool keep_existing) {
    const AgentFacts f = agent_facts(a);
    c.exec(std::string("INSERT INTO agents(agent_id, hostname, os, kernel, agent_version, info, first_seen_ns, "
                       "last_seen_ns, isolated, search) VALUES($1,$2,$3,$4,$5,$6,$7,$7,$8,$9) ON CONFLICT(agent_id) ") +
               (keep_existing ? "DO NOTHING"
                              : "DO UPDATE SET hostname=$2, os=$3, kernel=$4, agent_version=$5, info=$6, "
                                "last_seen_ns=$7, isolated=$8, search=$9"),
           Params().add(a.agent_id).add(a.hostname).add(a.os).add(a.kernel).add(a.agent_version).add(a.info_json)
               .add(a.last_seen_ns).add(f.isolated ? "true" : "false").add(f.search));
}

AgentPage PgStorage::query_agents(const AgentQuery& q) {
    const Where w = where_of(q);
    AgentPage page;
    const std::string from = " FROM agents a LEFT JOIN agent_labels l ON l.agent_id = a.agent_id";
    auto c = pool_->get();
    page.total = static_cast<uint64_t>(c->exec("SELECT count(*)" + from + w.sql, w.params).i64(0, 0));
    if (q.limit && *q.limit == 0) return page;
    std::string sql =
        "SELECT a.agent_id, hostname, os, kernel, agent_version, info, first_seen_ns, last_seen_ns, l.tags, l.note, "
        "coalesce(l.updated_ns, 0), l.updated_by" +
        from + w.sql + " ORDER BY hostname, a.agent_id";
    if (q.limit) sql += " LIMIT " + std::to_string(*q.limit);
    sql += " OFFSET " + std::to_string(q.offset);
    auto r = c->exec(sql, w.params);
    for (int i = 0; i < r.rows(); ++i) {
        page.agents.push_back(AgentRecord{r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4),
                                          r.text(i, 5), r.i64(i, 6), r.i64(i, 7)});
        AgentLabels& l = page.labels.emplace_back();
        std::istringstream tags(r.text(i, 8));
        for (std::string t; tags >> t;) l.tags.push_back(t);
        l.note = r.text(i, 9);
        l.updated_ns = r.i64(i, 10);
        l.updated_by = r.text(i, 11);
    }
    return page;
}

bool PgStorage::set_agent_labels(const std::string& agent_id, const AgentLabels& labels) {
    std::string tags = " ";
    for (const auto& t : labels.tags) tags += t + " ";
    auto c = pool_->get();
    auto r = c->exec(
        "INSERT INTO agent_labels(agent_id, tags, note, updated_ns, updated_by) SELECT $1, $2, $3, $4, $5 "
        "WHERE EXISTS (SELECT 1 FROM agents WHERE agent_id = $1) ON CONFLICT(agent_id) DO UPDATE SET "
        "tags = $2, note = $3, updated_ns = $4, updated_by = $5",
        Params().add(agent_id).add(tags).add(labels.note).add(labels.updated_ns).add(labels.updated_by));
    return r.affected() > 0;
}

}  // namespace vigil::central
