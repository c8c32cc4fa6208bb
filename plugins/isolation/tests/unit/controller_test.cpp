#include <doctest/doctest.h>

#include <vector>

#include "controller.hpp"
#include "private_netns.hpp"

using namespace vigil::isolation;

namespace {

struct Fixture {
    std::string dir = test::temp_dir();
    int64_t now = 1'700'000'000'000;
    std::vector<ActionEvent> events;
    std::vector<std::pair<uint64_t, int64_t>> self_tests;  // check_contact (epoch, timeout_ms)
    std::string last_status;
    std::optional<int64_t> contact;
    vigil::common::nft::Runner nft;
    StateStore store{dir + "/isolation.json"};

    ~Fixture() { std::system(("rm -rf " + dir).c_str()); }

    Settings settings(const std::string& extra = "") {
        return parse_settings(
            R"({"table":"vigil_iso_ctl","central_nodes":["192.0.2.10:8443","[2001:db8::10]:8443"],
                                  "default_timeout_s":600,"contact_loss_release_s":300)" +
            extra + "}");
    }
    ControllerEnv env() {
        ControllerEnv e;
        e.now_ms = [this] { return now; };
        e.publish = [this](const ActionEvent& ev) { events.push_back(ev); };
        e.set_status = [this](const std::string& s) { last_status = s; };
        e.connector_contact_ms = [this] { return contact; };
        // Deterministic: the tests of the agent's own scope set it themselves.
        e.agent_scope = [] { return AgentScope{"", 0, ""}; };
        e.dns_resolvers = [] { return std::vector<std::string>{"192.0.2.53"}; };
        e.check_contact = [this](uint64_t epoch, int64_t timeout_ms) { self_tests.emplace_back(epoch, timeout_ms); };
        return e;
    }
    bool table() { return nft.table_exists("inet", "vigil_iso_ctl"); }
};

}  // namespace

TEST_CASE("isolation: controller on/off, refusals and events") {
    if (!test::enter_private_netns()) return;
    Fixture f;
    Controller c(f.settings(), f.env(), f.nft, f.store);

    // Malformed commands are refused whole: no table, no state, no event.
    for (const char* bad :
         {R"({"exclusions":[{"remote_address":"10.0.0.0/33"}]})",
          R"({"exclusions":[{"protocol":6},{"direction":"both","protocol":6,"remote_ports":80}]})",
          R"({"exclusions":[{"direction":"outbound","remote_ports":99999}]})",
          R"({"timeout_s":60,"colour":"red"})", R"({"timeout_s":-5})", R"({"args":["x"]})", "[1,2]",
          "{bad json"}) {
        CHECK_THROWS_AS(c.on(bad, "vigilctl"), ValidationError);
        CHECK(!f.table());
        CHECK(!f.store.load());
    }
    CHECK(f.events.empty());

    std::string r = c.on(
        R"({"timeout_s":60,"reason":"incident 7","exclusions":[{"direction":"outbound","protocol":6,"remote_address":"198.51.100.5","remote_ports":80}]})",
        "vigilctl", 99);
    CHECK(r.find("\"isolated\":true") != std::string::npos);
    CHECK(f.table());
    REQUIRE(f.store.load());
    CHECK(f.store.load()->expires_ms == f.now + 60'000);
    REQUIRE(f.events.size() == 1);
    CHECK(f.events[0].action == "isolate");
    CHECK(f.events[0].reason == "incident 7");
    CHECK(f.events[0].correlation_id == 99);
    CHECK(f.last_status.find("\"isolated\":true") != std::string::npos);
    REQUIRE(f.self_tests.size() == 1);  // the first exchange is asked for at once
    CHECK(f.self_tests[0].second == 10'000);
    CHECK(c.status().find("\"self_test\":\"pending\"") != std::string::npos);
    std::string listing;
    test::run_shell("nft list table inet vigil_iso_ctl", &listing);
    CHECK(listing.find("192.0.2.10 . tcp . 8443") != std::string::npos);
    CHECK(listing.find("ip6 daddr 2001:db8::10 tcp dport 8443") != std::string::npos);
    CHECK(listing.find("198.51.100.5 . tcp . 80") != std::string::npos);

    // A refused re-isolation leaves the running one untouched.
    CHECK_THROWS_AS(c.on(R"({"exclusions":[{"remote_address":"bad"}]})", "vigilctl"), ValidationError);
    CHECK(f.table());
    CHECK(f.store.load()->expires_ms == f.now + 60'000);

    c.contact_reply(f.self_tests[0].first, ContactReply{0, R"({"ok":true,"central":"https://c:8443"})", ""});
    CHECK(c.status().find("\"self_test\":\"passed\"") != std::string::npos);
    CHECK(c.status().find("authenticated exchange with https://c:8443 succeeded") != std::string::npos);

    r = c.off(R"({"reason":"all clear"})", "vigilctl", 100);
    CHECK(r.find("\"isolated\":false") != std::string::npos);
    CHECK(!f.table());
    CHECK(!f.store.load());
    REQUIRE(f.events.size() == 2);
    CHECK(f.events[1].action == "release");
    CHECK(f.events[1].reason == "all clear");
    // Off when not isolated is a no-op success.
    CHECK(c.off("{}", "vigilctl").find("\"isolated\":false") != std::string::npos);
    CHECK(f.events.size() == 2);
}

TEST_CASE("isolation: the proxy is allowed") {
    if (!test::enter_private_netns()) return;
    Fixture f;
    ControllerEnv e = f.env();
    e.proxy = parse_endpoint("http://u:p@192.0.2.77:3128", "agent.proxy");
    Controller c(f.settings(), e, f.nft, f.store);
    c.on("{}", "vigilctl");
    std::string listing;
    test::run_shell("nft list table inet vigil_iso_ctl", &listing);
    CHECK(listing.find("192.0.2.77 . tcp . 3128") != std::string::npos);
    c.off("{}", "t");
}

TEST_CASE("isolation: agent allowances carry vigild's cgroup and uid; DNS goes to the snapshot only") {
    if (!test::enter_private_netns()) return;
    Fixture f;
    ControllerEnv e = f.env();
    e.agent_scope = agent_scope_of_self;
    std::vector<std::string> resolvers{"192.0.2.53", "2001:db8::53"};
    e.dns_resolvers = [&] { return resolvers; };
    Controller c(f.settings(R"(,"allow_dns":true)"), e, f.nft, f.store);
    c.on("{}", "vigilctl");
    const AgentScope self = agent_scope_of_self();
    std::string listing;
    test::run_shell("nft list table inet vigil_iso_ctl", &listing);
    CHECK(listing.find("meta skuid 0") != std::string::npos);
    if (!self.cgroup.empty()) CHECK(listing.find("socket cgroupv2 level") != std::string::npos);
    CHECK(listing.find("192.0.2.53 . udp . 53") != std::string::npos);
    CHECK(listing.find("2001:db8::53 . tcp . 53") != std::string::npos);
    const std::string st = c.status();
    CHECK(st.find("\"agent_scope\":{\"cgroup\":\"/" + self.cgroup + "\",\"uid\":0") != std::string::npos);
    CHECK(st.find("\"dns_resolvers\":[\"192.0.2.53\",\"2001:db8::53\"]") != std::string::npos);
    // The snapshot is the one taken at isolation time: a later change of
    // resolv.conf does not open port 53 to another server on restore.
    resolvers = {"203.0.113.53"};
    Controller again(f.settings(R"(,"allow_dns":true)"), e, f.nft, f.store);
    again.reconcile();
    test::run_shell("nft list table inet vigil_iso_ctl", &listing);
    CHECK(listing.find("192.0.2.53 . udp . 53") != std::string::npos);
    CHECK(listing.find("203.0.113.53") == std::string::npos);
    again.off("{}", "t");
}

TEST_CASE("isolation: a missing cgroup refuses a command but never blocks settings or a restore") {
    if (!test::enter_private_netns()) return;
    Fixture f;
    ControllerEnv e = f.env();
    e.resolve_cgroup = [](const std::string& p) -> std::string {
        throw ValidationError("cgroup '" + p + "': does not exist");
    };
    Controller c(f.settings(R"(,"exclusions":[{"cgroup":"system.slice/not-running.service"}])"), e, f.nft,
                 f.store);
    // The configured one is skipped; the isolation happens.
    CHECK(c.on("{}", "vigilctl").find("\"isolated\":true") != std::string::npos);
    // One given in the command is refused whole.
    CHECK_THROWS_WITH_AS(c.on(R"({"exclusions":[{"cgroup":"user.slice/x.scope"}]})", "vigilctl"),
                         doctest::Contains("does not exist"), ValidationError);
    CHECK(f.table());
    c.off("{}", "t");
}

TEST_CASE("isolation: no central node means no isolation") {
    if (!test::enter_private_netns()) return;
    Fixture f;
    Controller c(parse_settings(R"({"table":"vigil_iso_ctl"})"), f.env(), f.nft, f.store);
    CHECK_THROWS_WITH_AS(c.on("{}", "vigilctl"), doctest::Contains("no central node is configured"),
                         ValidationError);
    ControllerEnv e = f.env();
    e.resolve = [](const Endpoint&) { return std::vector<std::string>{}; };
    Controller c2(f.settings(), e, f.nft, f.store);
    CHECK_THROWS_WITH_AS(c2.on("{}", "vigilctl"), doctest::Contains("resolves to an address"),
                         ValidationError);
    // Central nodes may come with the command.
    CHECK(c.on(R"({"central_nodes":"192.0.2.99:443"})", "vigilctl").find("\"isolated\":true") !=
          std::string::npos);
    c.off("{}", "t");
}

TEST_CASE("isolation: timeout, lost contact and self-test rollback release") {
    if (!test::enter_private_netns()) return;
    Fixture f;
    Controller c(f.settings(), f.env(), f.nft, f.store);

    c.on(R"({"timeout_s":30})", "vigilctl");
    f.now += 29'000;
    c.tick();
    CHECK(f.table());
    f.now += 1'000;
    c.tick();
    CHECK(!f.table());
    CHECK(!f.store.load());
    CHECK(f.events.back().action == "expire");

    // Lost contact: 300 s without news from the connector.
    c.on("{}", "vigilctl");
    f.contact = f.now + 200'000;  // the connector reports contact at +200 s
    f.now += 299'000;
    c.tick();
    CHECK(f.table());
    f.now += 200'000;  // 299 s since the last contact
    c.tick();
    CHECK(f.table());
    f.now += 2'000;
    c.tick();
    CHECK(!f.table());
    CHECK(f.events.back().action == "release");
    CHECK(f.events.back().reason.find("no contact with any central node") != std::string::npos);

    // Self-test: only authenticated exchanges that fail for the whole
    // budget (30 s) roll back; a stale reply is ignored.
    f.contact.reset();
    const ContactReply refused{-10, R"({"ok":false,"kind":"connect"})", "connect: connection to c:8443 refused"};
    c.on("{}", "vigilctl");
    const uint64_t first = f.self_tests.back().first;
    c.on(R"({"reason":"again"})", "vigilctl");
    c.contact_reply(first, refused);
    c.contact_reply(first, refused);
    CHECK(f.table());
    const size_t asked = f.self_tests.size();
    c.contact_reply(f.self_tests.back().first, refused);
    CHECK(f.table());  // the budget is not spent: asked again at the next tick, not before 1 s
    c.tick();
    CHECK(f.self_tests.size() == asked);
    for (int i = 0; i < 29; ++i) {
        f.now += 1'000;
        c.tick();
        REQUIRE(f.self_tests.size() == asked + 1 + size_t(i));
        c.contact_reply(f.self_tests.back().first, refused);
    }
    CHECK(!f.table());
    CHECK(!f.store.load());
    CHECK(f.events.back().action == "rollback");
    CHECK(f.events.back().reason.find("no authenticated exchange with a central node in 30 attempt(s)") !=
          std::string::npos);
    CHECK(f.events.back().reason.find("refused") != std::string::npos);
    // The status (and so the heartbeat) still tells what happened.
    CHECK(c.status().find("\"isolated\":false") != std::string::npos);
    CHECK(c.status().find("\"last_change\":{\"action\":\"rollback\"") != std::string::npos);
    CHECK(f.last_status == c.status());
}

TEST_CASE("isolation: reconciliation at start and after outside removal") {
    if (!test::enter_private_netns()) return;
    Fixture f;
    {
        Controller c(f.settings(), f.env(), f.nft, f.store);
        c.on(R"({"timeout_s":100,"reason":"persist me"})", "vigilctl");
    }
    // Agent gone; rules stay. Simulate a reboot: the kernel forgets the table.
    CHECK(f.table());
    f.nft.run(build_release("vigil_iso_ctl"));
    f.events.clear();
    {
        Controller c(f.settings(), f.env(), f.nft, f.store);
        f.now += 50'000;
        c.reconcile();
        CHECK(f.table());
        CHECK(c.isolated());
        REQUIRE(f.events.size() == 1);
        CHECK(f.events[0].action == "isolate");
        CHECK(f.events[0].reason.find("persist me") != std::string::npos);
        CHECK(c.status().find("\"remaining_s\":50") != std::string::npos);

        // Someone deletes the table: the periodic check puts it back.
        f.nft.run(build_release("vigil_iso_ctl"));
        for (int i = 0; i < 5; ++i) c.tick();
        CHECK(f.table());
        CHECK(f.events.back().reason.find("removed outside vigil") != std::string::npos);
    }
    // Expired while the agent was down.
    f.now += 60'000;
    {
        Controller c(f.settings(), f.env(), f.nft, f.store);
        c.reconcile();
        CHECK(!f.table());
        CHECK(!c.isolated());
        CHECK(f.events.back().action == "expire");
        CHECK(!f.store.load());
    }
    // An orphaned table without state is removed.
    f.nft.run("add table inet vigil_iso_ctl");
    {
        Controller c(f.settings(), f.env(), f.nft, f.store);
        c.reconcile();
        CHECK(!f.table());
    }
}

// The agent's connections opened before the rules may be unknown to conntrack,
// which then takes a central node's answer on them for a new flow from the
// central node and the rules drop it: at the start of an isolation they are
// ended too, so the agent reconnects under the rules. Connections opened
// under the rules (re-isolation, agent restart) stay.
TEST_CASE("isolation: the agent's connections are ended when the rules come into force, kept otherwise") {
    if (!test::enter_private_netns()) return;
    Fixture f;
    std::vector<std::vector<Exclusion>> cuts;  // the allowances each cut kept
    ControllerEnv e = f.env();
    e.proxy = parse_endpoint("http://192.0.2.77:3128", "agent.proxy");
    e.cut_connections = [&](const std::vector<Exclusion>& a) {
        cuts.push_back(a);
        return CutResult{};
    };
    const auto agent_kept = [&] {
        REQUIRE(!cuts.empty());
        size_t n = 0;
        for (const auto& a : cuts.back()) n += a.agent.has_value();
        return n;
    };
    const auto operator_kept = [&] {
        size_t n = 0;
        for (const auto& a : cuts.back()) n += !a.agent && a.comment == "backup";
        return n;
    };
    const std::string excl =
        R"({"exclusions":[{"direction":"outbound","protocol":6,"remote_address":"198.51.100.5","remote_ports":873,"comment":"backup"}]})";
    {
        Controller c(f.settings(), e, f.nft, f.store);
        c.on(excl, "vigilctl");  // fresh: the agent's connections go, the operator's stay
        CHECK(agent_kept() == 0);
        CHECK(operator_kept() == 1);
        c.on(excl, "vigilctl");  // re-isolation: the table was in force, the agent's flows are tracked
        CHECK(agent_kept() == 3);  // two central nodes and the proxy
        CHECK(operator_kept() == 1);
        f.nft.run(build_release("vigil_iso_ctl"));  // removed behind our back
        for (int i = 0; i < 5; ++i) c.tick();
        REQUIRE(cuts.size() == 3);
        CHECK(agent_kept() == 0);
    }
    {
        Controller c(f.settings(), e, f.nft, f.store);
        c.reconcile();  // agent restart: the table is still in force
        REQUIRE(cuts.size() == 4);
        CHECK(agent_kept() == 3);
    }
    f.nft.run(build_release("vigil_iso_ctl"));  // reboot
    {
        Controller c(f.settings(), e, f.nft, f.store);
        c.reconcile();
        REQUIRE(cuts.size() == 5);
        CHECK(agent_kept() == 0);
        CHECK(operator_kept() == 1);
        c.off("{}", "t");
    }
}
