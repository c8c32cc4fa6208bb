#include <doctest/doctest.h>

#include <fstream>

#include "contact.hpp"
#include "json_input.hpp"
#include "private_netns.hpp"
#include "state_store.hpp"

using namespace vigil::isolation;

TEST_CASE("isolation: state round-trips through its file") {
    const std::string dir = test::temp_dir();
    StateStore store(dir + "/isolation.json");
    CHECK(!store.load());
    IsolationState s;
    s.table = "vigil_isolation";
    s.started_ms = 1700000000000;
    s.expires_ms = 1700000060000;
    s.reason = "incident \"42\"";
    s.origin = "task:abc";
    auto d = parse_json_object(
        R"({"x":[{"direction":"outbound","protocol":6,"remote_address":"10.0.0.0/8","remote_ports":"80-81"}]})",
        "t");
    s.exclusions = parse_exclusion_list(d["x"], "x");
    s.central_nodes.push_back(parse_endpoint("central.example:8443", "c"));
    s.resolved["central.example:8443"] = {"192.0.2.1", "2001:db8::1"};
    store.save(s);
    auto back = store.load();
    REQUIRE(back);
    CHECK(back->table == s.table);
    CHECK(back->started_ms == s.started_ms);
    CHECK(back->expires_ms == s.expires_ms);
    CHECK(back->reason == s.reason);
    CHECK(back->origin == s.origin);
    CHECK(back->exclusions.size() == 1);
    CHECK(exclusion_to_json(back->exclusions[0]) == exclusion_to_json(s.exclusions[0]));
    CHECK(back->central_nodes == s.central_nodes);
    CHECK(back->resolved == s.resolved);
    CHECK(state_to_json(*back) == state_to_json(s));

    std::ofstream(store.path()) << "{\"version\":1,\"table\":";
    CHECK_THROWS_AS(store.load(), ValidationError);
    std::ofstream(store.path())
        << R"({"version":2,"table":"t","started_ms":1,"expires_ms":2,"exclusions":[],"central_nodes":[]})";
    CHECK_THROWS_WITH(store.load(), doctest::Contains("unsupported version"));
    store.clear();
    CHECK(!store.load());
    store.clear();  // clearing twice is fine
    std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("isolation: contact time only from the connector-contact contract in the host snapshot") {
    // The shape vigild serves: "plugins" array; kataedr's status starts with "connector".
    CHECK(last_contact_ms(R"({"version":"0.1.0","plugins":[{"name":"isolation","status":{"isolated":true}},
                                {"name":"kataedr","state":"running","status":{"connector":{"last_contact_ns":1700000000999000000,
                                 "last_failure_ns":1800000000000000000,"last_failure":"tls: x","central":"https://c",
                                 "servers":["https://c"]},"connection":{"last_success_ns":1900000000000000000}}}]})",
                          "kataedr") == 1700000000999);
    // 0 = never reached a central node.
    CHECK(!last_contact_ms(R"({"plugins":[{"name":"kataedr","status":{"connector":{"last_contact_ns":0}}}]})",
                           "kataedr"));
    // Other spellings are not a contract and are never searched for any more.
    CHECK(!last_contact_ms(R"({"plugins":[{"name":"kataedr","status":{"connection":{"last_success_ns":1700000000123456789}}}]})",
                           "kataedr"));
    CHECK(!last_contact_ms(R"({"plugins":[{"name":"kataedr","status":{"last_success_unix":1700000000,
                                 "last_contact":"2023-11-14T22:13:21Z"}}]})",
                           "kataedr"));
    // Another plugin's contract is not the configured connector's.
    CHECK(!last_contact_ms(R"({"plugins":[{"name":"other","status":{"connector":{"last_contact_ns":1700000000000000000}}}]})",
                           "kataedr"));
    CHECK(!last_contact_ms(R"({"plugins":[{"name":"kataedr","status":{"connector":{"last_contact_ns":"1700000000000000000"}}}]})",
                           "kataedr"));
    CHECK(!last_contact_ms(R"({"plugins":[{"name":"kataedr","status":{"connector":{"last_contact_ns":1}}}]})", ""));
    CHECK(!last_contact_ms("not json", "kataedr"));
}
