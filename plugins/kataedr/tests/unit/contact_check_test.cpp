#include "contact_check.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_util.hpp"
#include "vigil/testing/loopback.hpp"

using namespace vigil::kataedr;

namespace {

// A loopback port nobody listens on (bound once, then released).
uint16_t closed_port() {
    uint16_t port = 0;
    const int fd = vigil::testing::loopback_tcp_socket(port);
    REQUIRE(fd >= 0);
    ::close(fd);
    return port;
}

struct Channel {
    kataedr_test::TempDir dir;
    std::shared_ptr<ChannelConfig> cfg = std::make_shared<ChannelConfig>();
    Channel() {
        const std::string cmd = "cd '" + dir.str() +
                                "' && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 "
                                "-subj /CN=TestCA >/dev/null 2>&1";
        REQUIRE(std::system(cmd.c_str()) == 0);
        Settings s;
        s.server_ca = dir.str() + "/ca.pem";
        cfg->tls = TlsMaterial::load(s);
        cfg->servers.push_back(parse_server_url("https://127.0.0.1:" + std::to_string(closed_port())));
    }
};

// Collects the results handed to `done`.
struct Results {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<ContactResult> got;
    ContactCheck::Done done() {
        return [this](const ContactResult& r) {
            std::lock_guard<std::mutex> g(mu);
            got.push_back(r);
            cv.notify_all();
        };
    }
    bool wait_for(size_t n) {
        std::unique_lock<std::mutex> g(mu);
        return cv.wait_for(g, std::chrono::seconds(20), [&] { return got.size() >= n; });
    }
};

}  // namespace

TEST_CASE("check_contact: arguments") {
    CHECK(parse_contact_args("") == 10000);
    CHECK(parse_contact_args("{}") == 10000);
    CHECK(parse_contact_args(R"({"timeout_ms":2500})") == 2500);
    CHECK(parse_contact_args(R"({"timeout_ms":10})") == 1000);  // below the floor: raised
    CHECK_THROWS_WITH_AS(parse_contact_args(R"({"timeout_ms":600000})"), doctest::Contains("timeout_ms"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_contact_args(R"({"timeout_ms":"soon"})"), doctest::Contains("timeout_ms"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_contact_args(R"({"colour":1})"), doctest::Contains("colour"), std::invalid_argument);
    CHECK_THROWS_AS(parse_contact_args(R"({"args":["now"]})"), std::invalid_argument);
    CHECK_THROWS_AS(parse_contact_args("[1]"), std::invalid_argument);
}

TEST_CASE("check_contact: result JSON") {
    ContactResult ok{true, "", "https://c:8443", "", 5, 7};
    CHECK(ok.json() == R"({"ok":true,"central":"https://c:8443","time_ns":5,"latency_ms":7})");
    ContactResult bad{false, "tls", "https://c:8443", "bad \"cert\"", 5, 7};
    CHECK(bad.json() ==
          R"({"ok":false,"central":"https://c:8443","time_ns":5,"latency_ms":7,"kind":"tls","error":"bad \"cert\""})");
}

TEST_CASE("check_contact: a refused connection is a 'connect' failure, recorded and shared") {
    Channel ch;
    ConnectionState state;
    ContactCheck check(ch.cfg, &state, [] { return std::string("{}"); });
    Results r;
    check.run(2000, r.done());
    check.run(2000, r.done());  // while the first runs, or right after it
    REQUIRE(r.wait_for(2));
    for (const auto& res : r.got) {
        CHECK_FALSE(res.ok);
        CHECK(res.kind == "connect");
        CHECK(res.server == ch.cfg->servers[0].text);
        CHECK(res.message.find("refused") != std::string::npos);
        CHECK(res.time_ns > 0);
    }
    CHECK(state.last_error().find("refused") != std::string::npos);
    CHECK(state.last_success_ns() == 0);

    // Stopped: answered at once, nothing sent.
    check.stop();
    Results after;
    check.run(2000, after.done());
    REQUIRE(after.wait_for(1));
    CHECK(after.got[0].message == "connector is stopping");
    check.start();
    Results again;
    check.run(2000, again.done());
    REQUIRE(again.wait_for(1));
    CHECK(again.got[0].kind == "connect");
}
