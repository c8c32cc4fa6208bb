#include "vigil/common/task_signature.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <vector>

#include "vigil/testing/ed25519_keys.hpp"
#include "vigil/testing/temp_dir.hpp"

using namespace vigil::common;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("task signatures: the canonical bytes name every signed field") {
    SignedTaskFields f{"0123abcd", "agent-1", "isolate", 1700000000000000000, 1700000003600000000, "{\"a\":1}"};
    CHECK(task_signing_bytes(f) ==
          "vigil-task-signature-v1\nid=0123abcd\nagent_id=agent-1\ntype=isolate\ncreated_ns=1700000000000000000\n"
          "expires_ns=1700000003600000000\nargs={\"a\":1}");
}

TEST_CASE("task signatures: sign, verify, and every change breaks the signature") {
    vigil::testing::TempDir dir;
    const vigil::testing::Ed25519KeyFiles op(dir, "op"), other(dir, "x");
    const std::string &priv = op.priv, &pub = op.pub, &other_pub = other.pub;
    Ed25519PublicKey key = load_ed25519_public_key(pub);
    CHECK(key.raw.size() == 32);
    CHECK(key.key_id.size() == 16);
    SignedTaskFields f{"t1", "agent-1", "run_process", 1, 1000, "{\"args\":[\"/bin/id\"]}"};
    std::string key_id;
    std::string sig = ed25519_sign(slurp(priv), task_signing_bytes(f), key_id);
    CHECK(key_id == key.key_id);
    CHECK(ed25519_verify(key, task_signing_bytes(f), sig));
    for (auto change : {+[](SignedTaskFields& g) { g.args_json = "{\"args\":[\"/bin/sh\"]}"; },
                        +[](SignedTaskFields& g) { g.agent_id = "agent-2"; },
                        +[](SignedTaskFields& g) { g.type = "isolate"; },
                        +[](SignedTaskFields& g) { g.expires_ns = 99999; },
                        +[](SignedTaskFields& g) { g.task_id = "t2"; }}) {
        SignedTaskFields g = f;
        change(g);
        CHECK_FALSE(ed25519_verify(key, task_signing_bytes(g), sig));
    }
    CHECK_FALSE(ed25519_verify(load_ed25519_public_key(other_pub), task_signing_bytes(f), sig));
    CHECK_FALSE(ed25519_verify(key, task_signing_bytes(f), "not base64"));
    CHECK_FALSE(ed25519_verify(key, task_signing_bytes(f), base64_encode(std::string(64, 'x'))));
    CHECK_THROWS_AS(load_ed25519_public_key(priv), std::runtime_error);  // a private key is not a public key
    std::string unused;
    CHECK_THROWS_AS(ed25519_sign("junk", "m", unused), std::runtime_error);
}

TEST_CASE("base64: round trip and strict decoding") {
    for (std::string s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x10", 3)})
        CHECK(base64_decode(base64_encode(s)) == s);
    CHECK(base64_encode("foobar") == "Zm9vYmFy");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK_FALSE(base64_decode("Zm9"));
    CHECK_FALSE(base64_decode("Zm=v"));
    CHECK_FALSE(base64_decode("Z!9v"));
}
