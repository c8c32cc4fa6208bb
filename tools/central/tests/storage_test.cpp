// The storage contract, on every engine (storage_env.hpp): idempotent batches, event queries,
// task state machine, persistence, trust data.
#include <doctest/doctest.h>

#include "storage_env.hpp"

using namespace vigil::central;

namespace {

constexpr int64_t kSec = 1000000000;

EventInput event(const std::string& type, int64_t time_ns, const std::string& text) {
    EventInput e;
    e.type = type;
    e.class_uid = type == "process" ? 1007 : type == "network" ? 4001 : type == "file" ? 1001 : 2004;
    e.time_ns = time_ns;
    e.raw = "{\"type\":\"" + type + "\",\"text\":\"" + text + "\"}";
    e.text = text;
    return e;
}

AgentRecord agent(const std::string& id, int64_t seen) {
    return AgentRecord{id,   "host-" + id, "Debian 12", "6.1.0", "0.1.0", "{\"ips\":[\"10.0.0.1\"]}",
                       seen, seen};
}

TaskRecord task(const std::string& id, const std::string& agent_id, int64_t created, int64_t timeout_s = 10) {
    TaskRecord t;
    t.id = id;
    t.agent_id = agent_id;
    t.type = "ping";
    t.created_ns = created;
    t.timeout_s = timeout_s;
    return t;
}

}  // namespace

TEST_CASE("a retried batch is stored once, per agent") {
    auto env = central_test::make_store_env();
    auto store = env->open();
    Storage& s = *store;
    std::vector<EventInput> batch = {event("process", 1 * kSec, "alpha"), event("file", 2 * kSec, "beta")};
    auto first = s.store_batch("agent-a", 7, 100, batch);
    CHECK(first.stored == 2);
    CHECK_FALSE(first.duplicate);
    auto again = s.store_batch("agent-a", 7, 200, batch);
    CHECK(again.stored == 0);
    CHECK(again.duplicate);
    // The same sequence number from another agent is a different batch.
    CHECK(s.store_batch("agent-b", 7, 300, batch).stored == 2);
    auto st = s.stats();
    CHECK(st.events == 4);
    CHECK(st.batches == 2);
}

TEST_CASE("event queries filter by agent, type, time and text, newest last") {
    auto env = central_test::make_store_env();
    auto store = env->open();
    Storage& s = *store;
    s.store_batch(
        "agent-a", 1, 0,
        {event("process", 10 * kSec, "curl example.com"), event("network", 20 * kSec, "connect 10.1.2.3"),
         event("file", 30 * kSec, "/tmp/marker_xyz/file.txt")});
    s.store_batch("agent-b", 1, 0, {event("process", 15 * kSec, "wget example.org")});

    EventQuery all;
    auto rows = s.query_events(all);
    REQUIRE(rows.size() == 4);
    CHECK(rows.front().time_ns == 10 * kSec);  // oldest first in the reply
    CHECK(rows.back().time_ns == 30 * kSec);

    EventQuery by_agent;
    by_agent.agent_id = "agent-b";
    REQUIRE(s.query_events(by_agent).size() == 1);
    CHECK(s.query_events(by_agent)[0].type == "process");

    EventQuery by_type;
    by_type.type = "process";
    CHECK(s.query_events(by_type).size() == 2);

    EventQuery by_time;
    by_time.since_ns = 15 * kSec;
    by_time.until_ns = 20 * kSec;
    CHECK(s.query_events(by_time).size() == 2);

    EventQuery by_text;
    by_text.text = "marker_xyz";
    REQUIRE(s.query_events(by_text).size() == 1);
    CHECK(s.query_events(by_text)[0].type == "file");
    by_text.text = "EXAMPLE.COM";  // case-insensitive
    CHECK(s.query_events(by_text).size() == 1);
    by_text.text = "/tmp/marker_xy";  // the last word may be a prefix
    CHECK(s.query_events(by_text).size() == 1);
    by_text.text = "example.com curl";  // words present, but not this string
    CHECK(s.query_events(by_text).empty());
    by_text.text = "\"quoted";  // FTS syntax characters are data, not query syntax
    CHECK(s.query_events(by_text).empty());

    EventQuery limited;
    limited.limit = 2;
    auto newest = s.query_events(limited);
    REQUIRE(newest.size() == 2);
    CHECK(newest[0].time_ns == 20 * kSec);
    CHECK(newest[1].time_ns == 30 * kSec);
}

TEST_CASE("text searches the index tokenizes differently fall back to the substring scan") {
    auto env = central_test::make_store_env();
    auto store = env->open();
    Storage& s = *store;
    s.store_batch("a1", 1, 0, {event("process", 1, "caf\xc3\xa9\xc2\xabx\xc2\xbbz")});
    // Found by the endpoint fuzzer: a "word" holding Unicode punctuation or invalid UTF-8 became
    // an FTS5 phrase, which the position-less index refuses (was a 500).
    for (std::string text : {std::string("\xc2\xabx\xc2\xbbz"), std::string("ab\xff\xfe cd"), std::string("\"x\xc2\xab\"")}) {
        EventQuery q;
        q.text = text;
        CHECK_NOTHROW(s.query_events(q));
    }
    EventQuery q;
    q.text = "\xc2\xabx\xc2\xbbz";
    CHECK(s.query_events(q).size() == 1);
}

TEST_CASE("agents upsert keeps first_seen and updates the rest") {
    auto env = central_test::make_store_env();
    auto store = env->open();
    Storage& s = *store;
    s.upsert_agent(agent("a1", 100));
    auto later = agent("a1", 500);
    later.hostname = "renamed";
    s.upsert_agent(later);
    auto found = s.find_agent("a1");
    REQUIRE(found);
    CHECK(found->hostname == "renamed");
    CHECK(found->first_seen_ns == 100);
    CHECK(found->last_seen_ns == 500);
    s.touch_agent("a1", 900);
    CHECK(s.find_agent("a1")->last_seen_ns == 900);
    s.touch_agent("a1", 800);  // never goes backwards
    CHECK(s.find_agent("a1")->last_seen_ns == 900);
    CHECK_FALSE(s.find_agent("nobody"));
    CHECK(s.list_agents().size() == 1);
}

TEST_CASE("task state machine: pending, delivered, redelivered after timeout, first result wins") {
    auto env = central_test::make_store_env();
    auto store = env->open();
    Storage& s = *store;
    const int64_t t0 = 1000 * kSec;
    s.insert_task(task("t1", "a1", t0, 10));
    s.insert_task(task("t2", "a2", t0, 10));

    auto claimed = s.claim_tasks("a1", t0 + kSec, 60, 100);
    REQUIRE(claimed.size() == 1);
    CHECK(claimed[0].id == "t1");
    CHECK(claimed[0].state == TaskState::delivered);
    CHECK(claimed[0].delivery_count == 1);
    CHECK(s.claim_tasks("a1", t0 + 2 * kSec, 60, 100).empty());  // delivered, not overdue

    // Overdue by timeout (10 s) + grace (60 s): delivered again (at-least-once).
    auto again = s.claim_tasks("a1", t0 + kSec + 70 * kSec, 60, 100);
    REQUIRE(again.size() == 1);
    CHECK(again[0].delivery_count == 2);

    CHECK(s.complete_task("t1", "a2", true, std::nullopt, std::nullopt, t0) == ResultOutcome::not_found);  // not a2's
    CHECK(s.complete_task("t1", "a1", true, std::string("{\"pong\":true}"), std::nullopt, t0 + 80 * kSec) ==
          ResultOutcome::accepted);
    CHECK(s.complete_task("t1", "a1", false, std::nullopt, std::string("late"), t0 + 81 * kSec) ==
          ResultOutcome::already_final);
    CHECK(s.complete_task("nope", "a1", true, std::nullopt, std::nullopt, t0) == ResultOutcome::not_found);
    auto t1 = s.find_task("t1");
    REQUIRE(t1);
    CHECK(t1->state == TaskState::done);
    CHECK(t1->result_json.value_or("") == "{\"pong\":true}");
    CHECK_FALSE(t1->error);
    CHECK(s.claim_tasks("a1", t0 + 1000 * kSec, 60, 100).empty());  // done tasks never come back

    // Files and results come only from the task's own agent, and only once it was delivered.
    CHECK(s.attach_file("t1", "a1", TaskFile{"/x", 1, "ab"}).outcome == ResultOutcome::already_final);
    CHECK(s.attach_file("t2", "a2", TaskFile{"/y", 3, "cd"}).outcome == ResultOutcome::not_delivered);
    CHECK(s.complete_task("t2", "a2", true, std::nullopt, std::nullopt, t0) == ResultOutcome::not_delivered);
    REQUIRE(s.claim_tasks("a2", t0 + 2 * kSec, 60, 100).size() == 1);
    CHECK(s.attach_file("t2", "a1", TaskFile{"/x", 1, "ab"}).outcome == ResultOutcome::not_found);
    CHECK(s.complete_task("t2", "a1", true, std::nullopt, std::nullopt, t0) == ResultOutcome::not_found);
    auto first = s.attach_file("t2", "a2", TaskFile{"/y", 3, "cd"});
    CHECK(first.outcome == ResultOutcome::accepted);
    CHECK_FALSE(first.previous_path);
    auto second = s.attach_file("t2", "a2", TaskFile{"/z", 4, "ef"});
    CHECK(second.outcome == ResultOutcome::accepted);
    CHECK(second.previous_path.value_or("") == "/y");  // the replaced file, for the caller to remove
    CHECK(s.find_task("t2")->file->size == 4);

    // Expiry: t2 is old and still delivered.
    CHECK(s.expire_tasks(t0 + kSec, t0 + 5000 * kSec) == 1);
    CHECK(s.find_task("t2")->state == TaskState::expired);
    CHECK(s.claim_tasks("a2", t0 + 5001 * kSec, 60, 100).empty());
    // A late result still records what the agent did.
    CHECK(s.complete_task("t2", "a2", false, std::nullopt, std::string("too late"), t0 + 5002 * kSec) ==
          ResultOutcome::accepted);
    CHECK(s.find_task("t2")->state == TaskState::error);

    CHECK(s.list_tasks(std::nullopt, 100).size() == 2);
    CHECK(s.list_tasks(std::string("a1"), 100).size() == 1);
}

TEST_CASE("claims return tasks oldest first and honour the per-poll maximum") {
    auto env = central_test::make_store_env();
    auto store = env->open();
    Storage& s = *store;
    for (int i = 0; i < 5; ++i) s.insert_task(task("t" + std::to_string(i), "a1", 100 + i));
    auto first = s.claim_tasks("a1", 1000, 60, 3);
    REQUIRE(first.size() == 3);
    CHECK(first[0].id == "t0");
    CHECK(first[2].id == "t2");
    CHECK(s.claim_tasks("a1", 1000, 60, 3).size() == 2);
}

TEST_CASE("data survives reopening the database") {
    auto env = central_test::make_store_env();
    {
        auto store = env->open();
        Storage& s = *store;
        s.upsert_agent(agent("a1", 1));
        s.store_batch("a1", 1, 0, {event("process", 1, "persist")});
        s.insert_task(task("t1", "a1", 5));
    }
    auto store = env->open();
    Storage& s = *store;
    CHECK(s.stats().events == 1);
    CHECK(s.find_agent("a1"));
    CHECK(s.find_task("t1"));
    CHECK(s.store_batch("a1", 1, 0, {event("process", 1, "persist")}).duplicate);
}

TEST_CASE("enrollment: token uses, one active certificate per agent id, revocation cancels tasks") {
    auto env = central_test::make_store_env();
    auto store = env->open();
    Storage& s = *store;
    const int64_t now = 2000 * kSec;
    s.insert_enrollment(EnrollmentToken{"e1", "hash-1", "agent", 2, 0, now, now + 3600 * kSec, "admin"});
    auto cert = [](const std::string& serial, const std::string& agent_id) {
        return AgentCertificate{serial, agent_id, 2000 * kSec, 1000000, std::nullopt};
    };
    CHECK(s.enroll_agent("hash-1", cert("s1", "a1"), agent("a1", now), now) == EnrollOutcome::enrolled);
    CHECK(s.find_agent("a1"));
    // The same id again while its certificate is valid: refused, and no use is spent.
    CHECK(s.enroll_agent("hash-1", cert("s2", "a1"), agent("a1", now), now) == EnrollOutcome::already_enrolled);
    CHECK(s.find_enrollment("hash-1")->uses == 1);
    CHECK(s.enroll_agent("hash-1", cert("s3", "a2"), agent("a2", now), now) == EnrollOutcome::enrolled);
    CHECK(s.enroll_agent("hash-1", cert("s4", "a3"), agent("a3", now), now) == EnrollOutcome::bad_token);  // used up
    CHECK(s.enroll_agent("nope", cert("s5", "a4"), agent("a4", now), now) == EnrollOutcome::bad_token);
    s.insert_enrollment(EnrollmentToken{"e2", "hash-2", "agent", 5, 0, now, now + kSec, "admin"});
    CHECK(s.enroll_agent("hash-2", cert("s6", "a5"), agent("a5", now), now + 2 * kSec) == EnrollOutcome::bad_token);

    s.insert_task(task("t1", "a1", now));
    s.insert_task(task("t2", "a1", now));
    REQUIRE(s.claim_tasks("a1", now, 60, 1).size() == 1);
    s.insert_task(task("t3", "a2", now));
    RevokeOutcome r = s.revoke_agent("a1", now + kSec);
    CHECK(r.certificates == 1);
    CHECK(r.cancelled_tasks == 2);
    CHECK(s.find_task("t1")->state == TaskState::cancelled);
    CHECK(s.find_task("t3")->state == TaskState::pending);  // another agent's task is untouched
    CHECK(s.revoked_serials() == std::vector<std::string>{"s1"});
    CHECK(s.claim_tasks("a1", now + 10000 * kSec, 60, 100).empty());
    // Once revoked, the id may enroll again (a new token use).
    s.insert_enrollment(EnrollmentToken{"e3", "hash-3", "agent", 1, 0, now, now + 3600 * kSec, "admin"});
    CHECK(s.enroll_agent("hash-3", cert("s7", "a1"), agent("a1", now), now + 2 * kSec) == EnrollOutcome::enrolled);
}

TEST_CASE("operators and the append-only audit log") {
    auto env = central_test::make_store_env();
    auto store = env->open();
    Storage& s = *store;
    CHECK(s.add_operator(OperatorRecord{"alice", "admin", "h-alice", 1}));
    CHECK_FALSE(s.add_operator(OperatorRecord{"alice", "viewer", "h-other", 2}));
    CHECK(s.find_operator_by_token("h-alice")->name == "alice");
    CHECK_FALSE(s.find_operator_by_token("h-other"));
    CHECK(s.remove_operator("alice"));
    CHECK_FALSE(s.find_operator_by_token("h-alice"));

    s.append_audit(AuditRecord{0, 10, "alice", "admin", "10.0.0.1", "task.create", "a1", "ping", "ok"});
    s.append_audit(AuditRecord{0, 20, "bob", "viewer", "10.0.0.2", "task.create", "a1", "ping", "denied: role"});
    CHECK(s.query_audit({}).size() == 2);
    auto bob = s.query_audit(AuditQuery{std::nullopt, std::string("bob"), 100});
    REQUIRE(bob.size() == 1);
    CHECK(bob[0].outcome == "denied: role");
    CHECK(s.query_audit(AuditQuery{15, std::nullopt, 100}).size() == 1);
    // Nothing can rewrite or delete it, not even through SQL on the same database.
    CHECK(env->refuses("UPDATE audit SET outcome='ok'"));
    CHECK(env->refuses("DELETE FROM audit"));
    CHECK(s.query_audit({}).size() == 2);
}

TEST_CASE("metric_counts: agents online/offline and tasks by state from aggregate queries") {
    auto env = central_test::make_store_env();
    auto store = env->open();
    Storage& s = *store;
    CHECK(s.metric_counts(0).agents == 0);
    CHECK(s.metric_counts(0).tasks_by_state.empty());
    const int64_t now = 10000 * kSec;
    for (int i = 0; i < 5; ++i) s.upsert_agent(agent("a" + std::to_string(i), i < 3 ? now : now - 3600 * kSec));
    for (int i = 0; i < 5; ++i) s.insert_task(task("t" + std::to_string(i), "a0", now));
    REQUIRE(s.claim_tasks("a0", now, 60, 1).size() == 1);
    MetricCounts m = s.metric_counts(now - 60 * kSec);
    CHECK(m.agents == 5);
    CHECK(m.agents_online == 3);
    CHECK(m.tasks_by_state.size() == 2);
    CHECK(m.tasks_by_state["pending"] == 4);
    CHECK(m.tasks_by_state["delivered"] == 1);
}
