// Long polls without a waiting thread: TaskBroker subscriptions and the begin/continue
// steps of the poll endpoint that the event-driven server drives.
#include <doctest/doctest.h>

#include <atomic>

#include "agent_ca.hpp"
#include "api.hpp"
#include "json.hpp"
#include "sqlite_storage.hpp"
#include "test_support.hpp"

using namespace vigil::central;

namespace {

constexpr const char* kAgent = "5b1c0a3e-1111-2222-3333-444455556666";

struct Fixture {
    central_test::TempDir dir;
    SqliteStorage storage{SqliteOptions{dir.path + "/c.db"}};
    TaskBroker broker;
    FileStore files{dir.path + "/files"};
    std::unique_ptr<AgentCa> ca = AgentCa::load_or_create(dir.path + "/agent-ca");
    RevocationList revoked;
    Api api{storage, broker, files, ApiSettings{}, AgentTrust{ca.get(), &revoked}};

    Fixture() { storage.upsert_agent(AgentRecord{kAgent, "h", "linux", "6.1", "0.1", "{}", 1, 1}); }
    // As the TLS layer reports an agent certificate of the agent CA.
    static PeerIdentity agent_peer(const std::string& id) {
        return PeerIdentity{"127.0.0.1", true, true, id, "0a" + id.substr(0, 4), INT64_MAX};
    }
    Request poll(const std::string& wait, const std::string& agent = kAgent) {
        Request r;
        r.method = "GET";
        r.path = "/api/v1/agent/tasks";
        r.peer = agent_peer(agent);
        r.query["wait"] = wait;
        return r;
    }
    void add_task(const std::string& id) {
        TaskRecord t;
        t.id = id;
        t.agent_id = kAgent;
        t.type = "ping";
        t.created_ns = 1;
        storage.insert_task(t);
        broker.notify(kAgent);
    }
};

size_t tasks_in(const Response& r) {
    rapidjson::Document d;
    REQUIRE_FALSE(json::parse(d, r.body));
    return d["tasks"].Size();
}

}  // namespace

TEST_CASE("a subscription fires once, on its own agent's notify, outside the lock") {
    TaskBroker b;
    int fired = 0;
    b.subscribe("a", b.generation("a"), [&] {
        ++fired;
        CHECK(b.generation("a") == 1);  // would deadlock if called under the broker's lock
    });
    CHECK(b.waiting() == 1);
    b.notify("other");
    CHECK(fired == 0);
    b.notify("a");
    b.notify("a");
    CHECK(fired == 1);
    CHECK(b.waiting() == 0);
}

TEST_CASE("subscribing after a missed notify fires at once; cancel and shutdown") {
    TaskBroker b;
    const uint64_t seen = b.generation("a");
    b.notify("a");
    int fired = 0;
    b.subscribe("a", seen, [&] { ++fired; });
    CHECK(fired == 1);
    uint64_t id = b.subscribe("a", b.generation("a"), [&] { ++fired; });
    CHECK(b.cancel("a", id));
    CHECK_FALSE(b.cancel("a", id));
    b.notify("a");
    CHECK(fired == 1);
    b.subscribe("x", b.generation("x"), [&] { ++fired; });
    b.subscribe("y", b.generation("y"), [&] { ++fired; });
    b.shutdown();
    CHECK(fired == 3);
    b.subscribe("z", b.generation("z"), [&] { ++fired; });  // after shutdown: at once
    CHECK(fired == 4);
}

TEST_CASE("poll steps: wait, wake-up on a task, reply") {
    Fixture f;
    PollStep step = f.api.begin_poll(f.poll("30"));
    REQUIRE_FALSE(step.reply);
    CHECK(step.wait.agent_id == kAgent);
    std::atomic<int> woken{0};
    f.broker.subscribe(step.wait.agent_id, step.wait.generation, [&] { ++woken; });
    f.add_task("0123456789abcdef0123456789abcdef");
    CHECK(woken == 1);
    step = f.api.continue_poll(step.wait);
    REQUIRE(step.reply);
    CHECK(step.reply->status == 200);
    CHECK(tasks_in(*step.reply) == 1);
}

TEST_CASE("poll steps: errors, no wait, and the deadline answer at once") {
    Fixture f;
    Request unknown = f.poll("5", "5b1c0a3e-9999-2222-3333-444455556666");
    auto step = f.api.begin_poll(unknown);
    REQUIRE(step.reply);
    CHECK(step.reply->status == 404);
    step = f.api.begin_poll(f.poll("999999"));
    REQUIRE(step.reply);
    CHECK(step.reply->status == 400);
    step = f.api.begin_poll(f.poll("0"));
    REQUIRE(step.reply);
    CHECK(tasks_in(*step.reply) == 0);
    step = f.api.begin_poll(f.poll("10"));
    REQUIRE_FALSE(step.reply);
    step.wait.deadline = std::chrono::steady_clock::now();
    step = f.api.continue_poll(step.wait);
    REQUIRE(step.reply);
    CHECK(tasks_in(*step.reply) == 0);
    CHECK(Api::is_poll(f.poll("1")));
}

// The agent side of a waiting poll can vanish silently (an isolation cut it; a proxy in
// between never tells): a newer poll of the agent wakes the older one, which answers 409 at
// once without claiming the task, so the task goes to the poll the agent is waiting on.
TEST_CASE("poll steps: a newer poll of the agent supersedes a waiting one (409, claims nothing)") {
    Fixture f;
    PollStep old_step = f.api.begin_poll(f.poll("30"));
    REQUIRE_FALSE(old_step.reply);
    std::atomic<int> woken{0};
    f.broker.subscribe(old_step.wait.agent_id, old_step.wait.generation, [&] { ++woken; });
    PollStep new_step = f.api.begin_poll(f.poll("30"));
    REQUIRE_FALSE(new_step.reply);
    CHECK(woken == 1);  // the older poll is woken by the newer one's arrival, not by a task
    f.add_task("0123456789abcdef0123456789abcdef");
    old_step = f.api.continue_poll(old_step.wait);
    REQUIRE(old_step.reply);
    CHECK(old_step.reply->status == 409);
    CHECK(old_step.reply->body.find("newer task poll") != std::string::npos);
    new_step = f.api.continue_poll(new_step.wait);
    REQUIRE(new_step.reply);
    CHECK(new_step.reply->status == 200);
    CHECK(tasks_in(*new_step.reply) == 1);
}
