#pragma once
// Operator signatures on central-node tasks (Ed25519). An agent configured with public keys
// runs a task only when it carries a valid signature by one of them over the task's identity,
// target, content and lifetime, so neither a stolen operator token nor a compromised central
// node can make it act.
//
// The signed bytes (docs/protocol.md, "Task signatures"), UTF-8, fields separated by '\n':
//
//   vigil-task-signature-v1\n
//   id=<task id>\n
//   agent_id=<agent id>\n
//   type=<task type>\n
//   created_ns=<decimal>\n
//   expires_ns=<decimal>\n
//   args=<the args JSON text, exactly as signed and delivered>
//
// id, agent id and type cannot contain '\n' (their syntax forbids it) and args comes last, so
// the string is unambiguous. The args are signed and executed as this exact text: no JSON
// canonicalisation is needed.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::common {

struct SignedTaskFields {
    std::string task_id;
    std::string agent_id;
    std::string type;
    int64_t created_ns = 0;
    int64_t expires_ns = 0;
    std::string args_json;
};

std::string task_signing_bytes(const SignedTaskFields& f);

// A raw 32-byte Ed25519 public key and its id: the first 16 hex digits of its SHA-256.
struct Ed25519PublicKey {
    std::string raw;
    std::string key_id;
};

// Reads a PEM public key ("-----BEGIN PUBLIC KEY-----", e.g. `openssl pkey -pubout`);
// throws std::runtime_error naming the file when it is not an Ed25519 public key.
Ed25519PublicKey load_ed25519_public_key(const std::string& path);
// Signs with the PEM private key in `private_key_pem`; returns the base64 signature and
// sets `key_id` to the id of its public key. Throws std::runtime_error.
std::string ed25519_sign(const std::string& private_key_pem, std::string_view message, std::string& key_id);
bool ed25519_verify(const Ed25519PublicKey& key, std::string_view message, std::string_view signature_base64);

std::string base64_encode(std::string_view data);
// Strict standard base64 (padding required); nullopt on anything else.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace vigil::common
