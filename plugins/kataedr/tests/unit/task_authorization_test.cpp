// What the central node may make the agent do: allowed_tasks and signed tasks.
#include "task_authorization.hpp"

#include <doctest/doctest.h>

#include <fstream>

#include "vigil/testing/ed25519_keys.hpp"
#include "vigil/testing/temp_dir.hpp"

using namespace vigil::kataedr;

namespace {

constexpr int64_t kNow = 1800000000LL * 1000000000;

Task task(const std::string& type, const std::string& args = "{}") {
    Task t;
    t.id = "0123456789abcdef0123456789abcdef";
    t.type = type;
    t.args_json = args;
    t.created_ns = uint64_t(kNow);
    return t;
}

std::optional<std::string> check(const Task& t, const TaskPolicy& p, std::string* ran = nullptr) {
    std::string args;
    auto why = authorize_task(t, p, "agent-1", kNow, args);
    if (ran) *ran = args;
    return why;
}

struct Keys {
    vigil::testing::TempDir dir;
    vigil::testing::Ed25519KeyFiles op{dir, "op"}, other{dir, "x"};
    std::string priv = op.priv, pub = op.pub, other_priv = other.priv, other_pub = other.pub;
    static std::string slurp(const std::string& p) {
        std::ifstream in(p);
        return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    // Signs `t` as the CLI does (args signed as text), for `agent` and expiry.
    void sign(Task& t, const std::string& key_file, const std::string& agent = "agent-1", int64_t expires = kNow + 3600000000000) {
        TaskSignature s;
        s.alg = "ed25519";
        s.expires_ns = expires;
        s.args_json = t.args_json;
        vigil::common::SignedTaskFields f{t.id, agent, t.type, int64_t(t.created_ns), expires, t.args_json};
        s.value = vigil::common::ed25519_sign(slurp(key_file), vigil::common::task_signing_bytes(f), s.key_id);
        t.signature = s;
    }
};

}  // namespace

TEST_CASE("allowed_tasks: product types by default; raw commands and restore paths only when listed") {
    Settings s;
    s.allowed_tasks = product_task_types();
    TaskPolicy p = make_task_policy(s);
    CHECK_FALSE(check(task("isolate"), p));
    CHECK_FALSE(check(task("run_process", R"({"args":["/bin/id"]})"), p));
    CHECK(check(task("agent.quarantine_delete"), p).value_or("").find("not in this agent's allowed_tasks") != std::string::npos);
    CHECK(check(task("isolation.on"), p));
    CHECK_FALSE(check(task("quarantine_restore", R"({"id":"q1"})"), p));
    CHECK(check(task("quarantine_restore", R"({"id":"q1","path":"/etc/ld.so.preload"})"), p).value_or("").find("path") !=
          std::string::npos);

    s.allowed_tasks = {"ping", "isolation.status", "ioc_scanner.*", "quarantine_restore", "quarantine_restore:path"};
    p = make_task_policy(s);
    CHECK_FALSE(check(task("isolation.status"), p));
    CHECK(check(task("isolation.on"), p));
    CHECK_FALSE(check(task("ioc_scanner.scan"), p));
    CHECK(check(task("run_process"), p));  // not listed any more
    CHECK_FALSE(check(task("quarantine_restore", R"({"id":"q1","path":"/tmp/x"})"), p));
}

TEST_CASE("signed tasks: valid ones run with the signed args; unsigned, tampered, expired, other-key refused") {
    Keys k;
    Settings s;
    s.allowed_tasks = product_task_types();
    s.task_signing_keys = {k.pub};
    TaskPolicy p = make_task_policy(s);

    Task good = task("run_process", R"({"args":["/bin/id"]})");
    k.sign(good, k.priv);
    std::string ran;
    CHECK_FALSE(check(good, p, &ran));
    CHECK(ran == R"({"args":["/bin/id"]})");

    CHECK(check(task("ping"), p).value_or("").find("not signed") != std::string::npos);

    Task tampered = good;  // the server changed the args it delivers
    tampered.args_json = R"({"args":["/bin/sh","-c","id"]})";
    CHECK(check(tampered, p).value_or("").find("differ from the signed args") != std::string::npos);
    Task resigned = good;  // ... or the signed args themselves
    resigned.signature->args_json = tampered.args_json;
    resigned.args_json = tampered.args_json;
    CHECK(check(resigned, p).value_or("").find("bad signature") != std::string::npos);
    Task retyped = good;
    retyped.type = "terminate_process";
    CHECK(check(retyped, p).value_or("").find("bad signature") != std::string::npos);

    Task other_agent = task("isolate");
    k.sign(other_agent, k.priv, "agent-2");
    CHECK(check(other_agent, p).value_or("").find("bad signature") != std::string::npos);

    Task expired = task("isolate");
    k.sign(expired, k.priv, "agent-1", kNow - 1);
    CHECK(check(expired, p).value_or("").find("expired") != std::string::npos);

    Task other_key = task("isolate");
    k.sign(other_key, k.other_priv);
    CHECK(check(other_key, p).value_or("").find("not one of this agent's task_signing_keys") != std::string::npos);

    // A valid signature does not widen allowed_tasks.
    Task raw = task("agent.quarantine_delete");
    k.sign(raw, k.priv);
    CHECK(check(raw, p).value_or("").find("allowed_tasks") != std::string::npos);

    s.task_signing_keys = {k.priv};  // a private key file is not a public key
    CHECK_THROWS_WITH_AS(make_task_policy(s), doctest::Contains("task_signing_keys[0]"), std::invalid_argument);
}
