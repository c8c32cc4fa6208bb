// The web console's server side without HTTP: cookie parsing, CSRF/Origin checks, sessions
// (hashed ids, idle and absolute expiry), login/logout through the Api, role enforcement for
// cookie-authenticated calls, login throttling, and how /ui/ files are served.
#include <doctest/doctest.h>

#include "api.hpp"
#include "api_fixture.hpp"
#include "auth_tokens.hpp"
#include "console_http.hpp"
#include "console_session.hpp"
#include "json.hpp"

using namespace vigil::central;

namespace {

constexpr const char* kAdminToken = "console-admin-token-0123456789";
constexpr const char* kViewerToken = "console-viewer-token-0123456789";
constexpr const char* kHost = "127.0.0.1:8443";
constexpr int64_t kS = 1000000000;

struct Fixture : central_test::ApiBackends {
    Api api{storage, broker, files, settings(), trust()};
    Fixture() {
        api.serve_ui([](std::string_view rel) -> std::optional<std::string> {
            if (rel == "index.html") return std::string("<!doctype html><title>t</title>");
            if (rel == "js/app.js") return std::string("export {}");
            return std::nullopt;
        });
    }
    static ApiSettings settings() {
        ApiSettings s;
        s.operators = {OperatorCredential{"alice", Role::admin, token_hash(kAdminToken)},
                       OperatorCredential{"victor", Role::viewer, token_hash(kViewerToken)}};
        return s;
    }
    static Request browser(const std::string& method, const std::string& path, const std::string& body = "") {
        Request r;
        r.method = method;
        r.path = path;
        r.headers["host"] = kHost;
        r.headers["origin"] = std::string("https://") + kHost;
        if (!body.empty()) {
            r.headers["content-type"] = "application/json";
            r.content_length = body.size();
        }
        r.body = body;
        r.peer.remote_address = "10.1.1.1";
        return r;
    }
    struct Login {
        Response response;
        std::string cookie;  // "__Host-vigil_session=<id>"
        std::string csrf;
    };
    Login login(const char* token) {
        Login l;
        l.response = api.handle(browser("POST", "/api/v1/console/session", std::string("{\"token\":\"") + token + "\"}"));
        const std::string set = l.response.headers["Set-Cookie"];
        l.cookie = set.substr(0, set.find(';'));
        rapidjson::Document d;
        if (!json::parse(d, l.response.body) && d.IsObject()) l.csrf = json::string_or(d, "csrf_token");
        return l;
    }
    Request with_session(Request r, const Login& l, bool csrf = true) {
        r.headers["cookie"] = "theme=dark; " + l.cookie;
        if (csrf) r.headers["x-vigil-csrf"] = l.csrf;
        return r;
    }
};

}  // namespace

TEST_CASE("cookie_value finds one cookie and refuses duplicates") {
    CHECK(cookie_value("a=1; __Host-vigil_session=abc; b=2", kSessionCookie) == "abc");
    CHECK(cookie_value("__Host-vigil_session=\"q\"", kSessionCookie) == "q");
    CHECK_FALSE(cookie_value("vigil_session=abc", kSessionCookie));
    CHECK_FALSE(cookie_value("__Host-vigil_session=a; __Host-vigil_session=b", kSessionCookie));
    CHECK_FALSE(cookie_value("", kSessionCookie));
    CHECK_FALSE(cookie_value(";;; =; junk", kSessionCookie));
    CHECK(cookie_value("x=1;__Host-vigil_session= v ", kSessionCookie) == "v");
}

TEST_CASE("the session cookie is __Host-, Secure, HttpOnly, SameSite=Strict, Path=/") {
    const std::string c = session_cookie("id", 60);
    CHECK(c.rfind("__Host-vigil_session=id;", 0) == 0);
    for (const char* attr : {"; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict", "; Max-Age=60"})
        CHECK(c.find(attr) != std::string::npos);
    CHECK(c.find("Domain") == std::string::npos);
    CHECK(cleared_session_cookie().find("Max-Age=0") != std::string::npos);
}

TEST_CASE("valid_ui_path keeps requests inside the console folder") {
    CHECK(valid_ui_path("index.html"));
    CHECK(valid_ui_path("js/app.js"));
    for (const char* bad : {"", "../x.js", "js/../../etc/passwd", ".hidden", "js//a.js", "js/", "a b.js",
                            "js/%2e%2e", "/abs.js", "a/b/c/d/e/f/g/h/i.js"})
        CHECK_MESSAGE(!valid_ui_path(bad), bad);
    CHECK(ui_content_type("js/app.js") == "text/javascript; charset=utf-8");
    CHECK(ui_content_type("x.css") == "text/css; charset=utf-8");
    CHECK(ui_content_type("x.map").empty());
}

TEST_CASE("csrf_refusal: reads pass, writes need token, Origin and a JSON body") {
    Request r;
    r.method = "GET";
    CHECK_FALSE(csrf_refusal(r, "tok", ""));
    r.method = "POST";
    r.headers["host"] = "h:1";
    CHECK(csrf_refusal(r, "tok", "")->find("missing X-Vigil-CSRF") != std::string::npos);
    r.headers["x-vigil-csrf"] = "tox";
    CHECK(csrf_refusal(r, "tok", "")->find("does not match") != std::string::npos);
    r.headers["x-vigil-csrf"] = "tok";
    CHECK(csrf_refusal(r, "tok", "")->find("missing Origin") != std::string::npos);
    r.headers["origin"] = "https://evil.example";
    CHECK(csrf_refusal(r, "tok", "")->find("is not this console") != std::string::npos);
    r.headers["origin"] = "https://H:1";
    CHECK_FALSE(csrf_refusal(r, "tok", ""));
    CHECK(csrf_refusal(r, "tok", "https://console.example"));
    r.content_length = 5;
    r.headers["content-type"] = "text/plain";
    CHECK(csrf_refusal(r, "tok", "")->find("application/json") != std::string::npos);
    r.headers["content-type"] = "application/json; charset=utf-8";
    CHECK_FALSE(csrf_refusal(r, "tok", ""));
}

TEST_CASE("SessionStore keeps only hashes and ends sessions on idle and absolute timeouts") {
    ConsoleSettings cs;
    cs.idle_timeout_s = 60;
    cs.absolute_timeout_s = 600;
    cs.max_sessions = 2;
    central_test::ApiBackends db;
    SessionStore store(db.storage, cs);
    auto a = store.create("alice", Role::admin, "h", 0);
    CHECK(a.id.size() == 64);
    CHECK(a.session.csrf_token.size() == 64);
    CHECK(a.session.csrf_token != a.id);
    CHECK_FALSE(store.touch(token_hash(a.id), 1));  // the stored form is no key
    CHECK(store.touch(a.id, 50 * kS));
    CHECK(store.touch(a.id, 100 * kS));   // idle restarted at 50 s
    CHECK_FALSE(store.touch(a.id, 161 * kS));  // idle 61 s: gone for good
    CHECK_FALSE(store.touch(a.id, 162 * kS));
    auto b = store.create("bob", Role::viewer, "h", 0);
    for (int64_t t = 50; t < 600; t += 50) CHECK(store.touch(b.id, t * kS));
    CHECK_FALSE(store.touch(b.id, 600 * kS));  // absolute lifetime
    auto c1 = store.create("c1", Role::viewer, "h", 1000 * kS);
    auto c2 = store.create("c2", Role::viewer, "h", 1001 * kS);
    auto c3 = store.create("c3", Role::viewer, "h", 1002 * kS);  // full: the idlest (c1) goes
    CHECK(store.size() == 2);
    CHECK_FALSE(store.touch(c1.id, 1003 * kS));
    CHECK(store.touch(c3.id, 1003 * kS));
    CHECK(store.remove(c2.id));
    CHECK_FALSE(store.touch(c2.id, 1003 * kS));
    // What the database holds: the SHA-256 of the id, never the id.
    REQUIRE(db.storage.find_session(token_hash(c3.id)));
    CHECK_FALSE(db.storage.find_session(c3.id));
    CHECK(db.storage.find_session(token_hash(c3.id))->operator_name == "c3");
}

TEST_CASE_FIXTURE(Fixture, "console login sets the cookie; the session authenticates API calls") {
    auto l = login(kAdminToken);
    REQUIRE(l.response.status == 200);
    CHECK(l.cookie.rfind("__Host-vigil_session=", 0) == 0);
    CHECK(l.csrf.size() == 64);
    CHECK(l.response.headers["Content-Security-Policy"].find("default-src 'self'") != std::string::npos);
    CHECK(l.response.headers["Cache-Control"] == "no-store");
    auto agents = api.handle(with_session(browser("GET", "/api/v1/agents"), l, false));
    CHECK(agents.status == 200);
    CHECK(agents.headers["X-Frame-Options"] == "DENY");
    auto who = api.handle(with_session(browser("GET", "/api/v1/console/session"), l, false));
    CHECK(who.status == 200);
    CHECK(who.body.find("\"operator\":\"alice\"") != std::string::npos);
    CHECK(who.body.find("\"role\":\"admin\"") != std::string::npos);
    auto audit = api.handle(with_session(browser("GET", "/api/v1/audit"), l, false));
    CHECK(audit.body.find("console.login") != std::string::npos);
}

TEST_CASE_FIXTURE(Fixture, "a state-changing call with the cookie needs the CSRF header and this Origin") {
    auto l = login(kAdminToken);
    const std::string body = R"({"agent_id":"no-such-agent","type":"ping"})";
    auto no_csrf = api.handle(with_session(browser("POST", "/api/v1/tasks", body), l, false));
    CHECK(no_csrf.status == 403);
    CHECK(no_csrf.body.find("X-Vigil-CSRF") != std::string::npos);
    Request foreign = with_session(browser("POST", "/api/v1/tasks", body), l);
    foreign.headers["origin"] = "https://attacker.example";
    CHECK(api.handle(foreign).status == 403);
    Request form = with_session(browser("POST", "/api/v1/tasks", body), l);
    form.headers["content-type"] = "application/x-www-form-urlencoded";
    CHECK(api.handle(form).status == 403);
    // All checks pass: the task endpoint itself answers (unknown agent).
    CHECK(api.handle(with_session(browser("POST", "/api/v1/tasks", body), l)).status == 404);
    // The refusal happens at admission, before any body is read.
    Request head = with_session(browser("POST", "/api/v1/tasks", body), l, false);
    auto refused = api.admit(head);
    REQUIRE(refused);
    CHECK(refused->status == 403);
}

TEST_CASE_FIXTURE(Fixture, "a viewer's session cannot create tasks; the API enforces the role") {
    auto l = login(kViewerToken);
    REQUIRE(l.response.status == 200);
    CHECK(l.response.body.find("\"role\":\"viewer\"") != std::string::npos);
    auto r = api.handle(with_session(browser("POST", "/api/v1/tasks", R"({"agent_id":"a","type":"ping"})"), l));
    CHECK(r.status == 403);
    CHECK(r.body.find("role viewer") != std::string::npos);
    CHECK(api.handle(with_session(browser("GET", "/api/v1/audit"), l, false)).status == 403);
}

TEST_CASE_FIXTURE(Fixture, "logout ends the session; a bad or foreign login is refused and throttled") {
    auto l = login(kAdminToken);
    auto out = api.handle(with_session(browser("DELETE", "/api/v1/console/session"), l));
    CHECK(out.status == 200);
    CHECK(out.headers["Set-Cookie"].find("Max-Age=0") != std::string::npos);
    CHECK(api.handle(with_session(browser("GET", "/api/v1/agents"), l, false)).status == 401);
    Request cross = browser("POST", "/api/v1/console/session", std::string("{\"token\":\"") + kAdminToken + "\"}");
    cross.headers["origin"] = "https://attacker.example";
    CHECK(api.handle(cross).status == 403);
    int last = 0;
    for (int i = 0; i < 11; ++i) last = login("wrong-token-xxxxxxxxxxxxxxxx").response.status;
    CHECK(last == 429);
    CHECK(login(kAdminToken).response.status == 429);  // the address waits, even with a good token
}

TEST_CASE_FIXTURE(Fixture, "/ui/ serves console files with their type and the security headers") {
    auto index = api.handle(browser("GET", "/ui/"));
    CHECK(index.status == 200);
    CHECK(index.content_type == "text/html; charset=utf-8");
    CHECK(index.headers["Content-Security-Policy"].find("script-src 'self'") != std::string::npos);
    CHECK(index.headers["X-Frame-Options"] == "DENY");
    CHECK(index.headers["Referrer-Policy"] == "no-referrer");
    CHECK(index.headers["X-Content-Type-Options"] == "nosniff");
    auto js = api.handle(browser("GET", "/ui/js/app.js"));
    CHECK(js.status == 200);
    CHECK(js.content_type == "text/javascript; charset=utf-8");
    CHECK(api.handle(browser("GET", "/ui/../central.yaml")).status == 404);
    CHECK(api.handle(browser("GET", "/ui/missing.js")).status == 404);
    CHECK(api.handle(browser("POST", "/ui/index.html")).status == 405);
    auto root = api.handle(browser("GET", "/"));
    CHECK(root.status == 302);
    CHECK(root.headers["Location"] == "/ui/");
}

TEST_CASE("console sessions survive a restart of the central node and end with their operator") {
    central_test::TempDir dir;
    std::string cookie, csrf, gone_cookie;
    auto request = [](const std::string& cookie_value, const std::string& csrf_token) {
        Request r = Fixture::browser("GET", "/api/v1/console/session");
        r.headers["cookie"] = cookie_value;
        if (!csrf_token.empty()) r.headers["x-vigil-csrf"] = csrf_token;
        return r;
    };
    auto login = [](Api& api, const std::string& token) {
        Response resp = api.handle(Fixture::browser("POST", "/api/v1/console/session", "{\"token\":\"" + token + "\"}"));
        REQUIRE(resp.status == 200);
        const std::string set = resp.headers["Set-Cookie"];
        return set.substr(0, set.find(';'));
    };
    auto env = central_test::make_store_env();
    {
        auto store = env->open();
        Storage& storage = *store;
        TaskBroker broker;
        FileStore files(dir.path + "/files");
        REQUIRE(storage.add_operator(OperatorRecord{"olga", "responder", token_hash("olga-token-0123456789abcdef"), 1}));
        REQUIRE(storage.add_operator(OperatorRecord{"gus", "viewer", token_hash("gus-token-0123456789abcdef"), 1}));
        Api api(storage, broker, files, Fixture::settings());
        cookie = login(api, "olga-token-0123456789abcdef");
        gone_cookie = login(api, "gus-token-0123456789abcdef");
        CHECK(api.handle(request(cookie, "")).status == 200);
    }
    auto store = env->open();  // "restarted": a new process state
    Storage& storage = *store;
    TaskBroker broker;
    FileStore files(dir.path + "/files");
    Api api(storage, broker, files, Fixture::settings());
    Response who = api.handle(request(cookie, ""));
    CHECK(who.status == 200);
    CHECK(who.body.find("\"operator\":\"olga\"") != std::string::npos);
    CHECK(api.handle(request(gone_cookie, "")).status == 200);
    CHECK(storage.count_sessions() == 2);
    REQUIRE(storage.remove_operator("gus"));  // `operator remove`: its sessions end at once
    CHECK(storage.count_sessions() == 1);
    CHECK(api.handle(request(gone_cookie, "")).status == 401);
    Request out = Fixture::browser("DELETE", "/api/v1/console/session");
    out.headers["cookie"] = cookie;
    out.headers["x-vigil-csrf"] = json::string_or(rapidjson::Document().Parse(who.body.c_str()), "csrf_token");
    CHECK(api.handle(out).status == 200);
    CHECK(storage.count_sessions() == 0);
    CHECK(api.handle(request(cookie, "")).status == 401);
}
