#include "auth_tokens.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

#include "ids.hpp"
#include "sha256.hpp"

namespace vigil::central {
namespace {

std::string base64url(const unsigned char* data, size_t n) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; ++i) {
        acc = (acc << 8) | data[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += kAlphabet[(acc >> bits) & 63];
        }
    }
    if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
    return out;
}

enum class CharClass { lower, upper, digit, other };

CharClass class_of(unsigned char c) {
    if (std::islower(c)) return CharClass::lower;
    if (std::isupper(c)) return CharClass::upper;
    if (std::isdigit(c)) return CharClass::digit;
    return CharClass::other;
}

double run_bits(CharClass cls, size_t len) {
    switch (cls) {
        case CharClass::lower:
        case CharClass::upper:
            return len >= 4 ? 13.0 : 4.7 * static_cast<double>(len);
        case CharClass::digit:
            return 3.3 * static_cast<double>(len);
        case CharClass::other:
            return 5.0 * static_cast<double>(len);
    }
    return 0;
}

}  // namespace

std::string new_secret_token(std::string_view prefix) {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
    return std::string(prefix) + base64url(bytes, sizeof bytes);
}

std::string token_hash(std::string_view token) { return Sha256::of(token); }

std::string new_public_id() { return new_task_id().substr(0, 16); }

namespace {

// Length times the Shannon entropy of the token's own character frequencies: an upper bound
// that catches repetition ("aaaa…" plus a few digits) whatever the alphabet.
double frequency_bits(std::string_view token) {
    std::map<char, size_t> count;
    for (char c : token) ++count[c];
    double per_char = 0;
    for (const auto& [c, n] : count) {
        double p = static_cast<double>(n) / static_cast<double>(token.size());
        per_char -= p * std::log2(p);
    }
    return per_char * static_cast<double>(token.size());
}

double class_bits(std::string_view token) {
    bool all_hex = std::all_of(token.begin(), token.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
    if (all_hex) return 4.0 * static_cast<double>(token.size());
    double bits = 0;
    size_t i = 0;
    while (i < token.size()) {
        CharClass cls = class_of(static_cast<unsigned char>(token[i]));
        size_t j = i;
        while (j < token.size() && class_of(static_cast<unsigned char>(token[j])) == cls) ++j;
        bits += run_bits(cls, j - i);
        i = j;
    }
    return bits;
}

}  // namespace

double estimated_entropy_bits(std::string_view token) {
    std::set<char> distinct(token.begin(), token.end());
    if (distinct.size() < 8) return 0;
    return std::min(class_bits(token), frequency_bits(token));
}

}  // namespace vigil::central
