#include <doctest/doctest.h>

#include <vigil/plugin.h>

#include "self_test.hpp"

using namespace vigil::isolation;

namespace {

ContactReply failed(const std::string& kind, const std::string& message = "x") {
    return ContactReply{VIGIL_EFAILED, R"({"ok":false,"kind":")" + kind + R"("})", kind + ": " + message};
}

// Feeds `reply` to every attempt, one per second, until a verdict.
SelfTestVerdict run_until_verdict(SelfTest& t, int64_t& now, const ContactReply& reply) {
    for (int i = 0; i < 1000; ++i) {
        if (t.next_attempt(now))
            if (auto v = t.on_reply(reply, now)) return *v;
        now += 250;
    }
    FAIL("no verdict");
    return {};
}

}  // namespace

TEST_CASE("isolation self-test: what a check_contact reply proves") {
    CHECK(classify_contact(ContactReply{VIGIL_OK, R"({"ok":true})", ""}) == ContactOutcome::reached);
    // The verified central node answered with an error status: the path works.
    CHECK(classify_contact(failed("http", "HTTP 403 from c")) == ContactOutcome::reached);
    for (const char* k : {"connect", "timeout", "proxy", "network"})
        CHECK(classify_contact(failed(k)) == ContactOutcome::unreachable);
    // Whoever answered is not proven to be the central node.
    for (const char* k : {"tls", "protocol", "weird"}) CHECK(classify_contact(failed(k)) == ContactOutcome::not_central);
    // The kind from the error text when the result has none.
    CHECK(classify_contact(ContactReply{VIGIL_EFAILED, "", "tls: certificate verify failed"}) ==
          ContactOutcome::not_central);
    CHECK(classify_contact(ContactReply{VIGIL_EFAILED, "", "connect: refused"}) == ContactOutcome::unreachable);
    CHECK(classify_contact(ContactReply{VIGIL_ETIMEDOUT, "", "timed out"}) == ContactOutcome::unreachable);
    for (int st : {VIGIL_ENOTFOUND, VIGIL_EDISABLED, VIGIL_EUNSUPPORTED, VIGIL_EINVAL})
        CHECK(classify_contact(ContactReply{st, "", "no such command"}) == ContactOutcome::no_connector);
}

TEST_CASE("isolation self-test: verdicts") {
    int64_t now = 1'000'000;
    SelfTest t;

    SUBCASE("the first authenticated exchange passes") {
        t.begin(now, 30'000);
        REQUIRE(t.next_attempt(now) == 10'000);
        CHECK_FALSE(t.next_attempt(now));  // one in flight at a time
        auto v = t.on_reply(ContactReply{VIGIL_OK, R"({"ok":true,"central":"https://c"})", ""}, now);
        REQUIRE(v);
        CHECK(v->kind == SelfTestVerdict::passed);
        CHECK(v->detail == "authenticated exchange with https://c succeeded");
        CHECK_FALSE(t.active());
    }
    SUBCASE("unreachable for the whole budget: failed, after one attempt per second") {
        t.begin(now, 5'000);
        const int64_t start = now;
        auto v = run_until_verdict(t, now, failed("connect", "connection refused"));
        CHECK(v.kind == SelfTestVerdict::failed);
        CHECK(now - start >= 4'000);
        CHECK(t.attempts() == 5);
        CHECK(v.detail.find("connection refused") != std::string::npos);
    }
    SUBCASE("a late success within the budget passes") {
        t.begin(now, 5'000);
        REQUIRE(t.next_attempt(now));
        CHECK_FALSE(t.on_reply(failed("timeout"), now));
        now += 1'000;
        REQUIRE(t.next_attempt(now));
        auto v = t.on_reply(ContactReply{VIGIL_OK, "{}", ""}, now);
        REQUIRE(v);
        CHECK(v->kind == SelfTestVerdict::passed);
    }
    SUBCASE("an imposter (TLS failure) never rolls back, even mixed with refusals") {
        t.begin(now, 3'000);
        REQUIRE(t.next_attempt(now));
        CHECK_FALSE(t.on_reply(failed("tls", "certificate verify failed"), now));
        auto v = run_until_verdict(t, now, failed("connect"));
        CHECK(v.kind == SelfTestVerdict::inconclusive);
        CHECK(v.detail.find("certificate verify failed") != std::string::npos);
    }
    SUBCASE("no connector: inconclusive at once") {
        t.begin(now, 30'000);
        REQUIRE(t.next_attempt(now));
        auto v = t.on_reply(ContactReply{VIGIL_ENOTFOUND, "", "no such command kataedr.check_contact"}, now);
        REQUIRE(v);
        CHECK(v->kind == SelfTestVerdict::inconclusive);
        CHECK(v->detail.find("no such command") != std::string::npos);
    }
    SUBCASE("cancel and replies without a request are ignored") {
        CHECK_FALSE(t.on_reply(ContactReply{VIGIL_OK, "{}", ""}, now));
        t.begin(now, 30'000);
        REQUIRE(t.next_attempt(now));
        t.cancel();
        CHECK_FALSE(t.on_reply(ContactReply{VIGIL_OK, "{}", ""}, now));
        CHECK_FALSE(t.next_attempt(now));
    }
}
