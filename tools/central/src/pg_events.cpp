// PgStorage, telemetry: a batch is one transaction — its key in batches (a retry finds the key
// and stores nothing), then its events in one COPY — and event queries.
#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "pg_storage.hpp"
#include "storage_rows.hpp"

namespace vigil::central {

using pg::Params;

void PgStorage::copy_events(pg::Conn& c, const std::string& agent_id, int64_t batch_seq, int64_t received_ns,
                            const std::vector<EventInput>& events) {
    std::string data;
    const std::string prefix = [&] {
        std::string p;
        pg::copy_field(p, agent_id);
        return p + '\t' + std::to_string(batch_seq) + '\t' + std::to_string(received_ns) + '\t';
    }();
    size_t bytes = 0;
    for (const auto& e : events) bytes += prefix.size() + e.raw.size() + e.type.size() + 48;
    data.reserve(bytes);
    for (const auto& e : events) {
        data += prefix;
        pg::copy_field(data, e.type);
        data += '\t' + std::to_string(e.class_uid) + '\t' + std::to_string(e.time_ns) + '\t';
        pg::copy_field(data, e.raw);
        data += '\n';
    }
    c.copy_in("COPY events(agent_id, batch_seq, received_ns, type, class_uid, time_ns, raw) FROM STDIN", data);
}

BatchResult PgStorage::store_batch(const std::string& agent_id, int64_t batch_seq, int64_t received_ns,
                                   const std::vector<EventInput>& events) {
    for (int attempt = 0;; ++attempt) {
        ensure_partition(received_ns);
        auto c = pool_->get();
        try {
            pg::Transaction tx(*c);
            auto r = c->exec(
                "INSERT INTO batches(agent_id, batch_seq, received_ns, event_count) VALUES($1,$2,$3,$4) "
                "ON CONFLICT DO NOTHING",
                Params().add(agent_id).add(batch_seq).add(received_ns).add(static_cast<int64_t>(events.size())));
            if (r.affected() == 0) return {0, true};  // the key says: stored before (rolled back)
            if (!events.empty()) copy_events(*c, agent_id, batch_seq, received_ns, events);
            tx.commit();
            return {events.size(), false};
        } catch (const std::runtime_error& e) {
            // Another node's retention dropped the day this node thought it had: make it again.
            if (attempt > 0 || std::string(e.what()).find("no partition of relation") == std::string::npos) throw;
            forget_partition(received_ns);
        }
    }
}

std::vector<EventRow> PgStorage::query_events(const EventQuery& q) {
    std::string sql = "SELECT id, agent_id, type, time_ns, raw FROM events WHERE true";
    Params params;
    auto add = [&](const std::string& clause, auto v) {
        params.add(v);
        sql += " AND " + clause + " $" + std::to_string(params.size());
    };
    if (q.agent_id) add("agent_id =", *q.agent_id);
    if (q.type) add("type =", *q.type);
    if (q.text) {
        // Stored JSON escapes quotes, backslashes and control characters, so a text with those
        // cannot occur verbatim: then its words decide, each anywhere in the event.
        const bool verbatim = std::none_of(q.text->begin(), q.text->end(),
                                           [](unsigned char c) { return c == '"' || c == '\\' || c < 0x20; });
        const auto words = search_words(*q.text);
        if (verbatim || words.empty()) {
            add("raw ILIKE", like_contains(*q.text));
        } else {
            for (const auto& w : words) add("raw ILIKE", like_contains(w));
        }
    }
    if (q.since_ns) add("time_ns >=", *q.since_ns);
    if (q.until_ns) add("time_ns <=", *q.until_ns);
    sql += " ORDER BY time_ns DESC, id DESC LIMIT " + std::to_string(std::max<uint32_t>(q.limit, 1));
    auto c = pool_->get();
    auto r = c->exec(sql, params);
    std::vector<EventRow> out;
    for (int i = r.rows() - 1; i >= 0; --i)
        out.push_back(EventRow{r.i64(i, 0), r.text(i, 1), r.text(i, 2), r.i64(i, 3), r.text(i, 4)});
    return out;
}

}  // namespace vigil::central
