#pragma once
// Bearer secrets (operator and enrollment tokens): generation, the stored form (SHA-256),
// and the randomness estimate `serve` uses to refuse guessable tokens.
#include <string>
#include <string_view>

namespace vigil::central {

// `prefix` + 43 base64url characters (256 random bits), e.g. "vgo_3q2…".
std::string new_secret_token(std::string_view prefix);
// The stored form of a token: lower-case hex SHA-256.
std::string token_hash(std::string_view token);
// A 16-hex-digit public handle for a stored secret (for lists and the audit log).
std::string new_public_id();

// A conservative estimate of a token's randomness in bits: the smaller of two estimates.
// (1) By character class: all-hex tokens count 4 bits per character; otherwise a run of
// letters counts as one dictionary word (13 bits) when it is 4 or more letters long, else 4.7
// bits per letter; digits count 3.3 bits, anything else 5 bits. (2) The length times the
// Shannon entropy of the token's own character frequencies (catches repetition). A token with
// fewer than 8 different characters counts 0. Generated tokens score well above 128 bits;
// "demo-token-change-me" style ones do not.
double estimated_entropy_bits(std::string_view token);

constexpr double kMinTokenBits = 128;

}  // namespace vigil::central
