#include <doctest/doctest.h>

#include "vigil/common/hex.hpp"

using namespace vigil::common;

TEST_CASE("hex: round trip of every byte value") {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    auto hex = to_hex(all);
    CHECK(hex.size() == 512);
    CHECK(hex.substr(0, 6) == "000102");
    CHECK(hex.substr(506) == "fdfeff");
    CHECK(from_hex(hex) == all);
}

TEST_CASE("hex: strict decoding") {
    CHECK(from_hex("ABcd") == std::string("\xab\xcd"));
    CHECK_FALSE(from_hex("abc"));
    CHECK_FALSE(from_hex("zz"));
    CHECK(from_hex_fixed<2>("0a0B").value() == std::array<uint8_t, 2>{0x0a, 0x0b});
    CHECK_FALSE(from_hex_fixed<2>("0a0b0c"));
    CHECK(is_hex("deadBEEF", 8));
    CHECK_FALSE(is_hex("deadBEEF", 6));
    CHECK_FALSE(is_hex("deadBEEG", 8));
}

TEST_CASE("hex: the value of one digit") {
    CHECK(hex_digit_value('0') == 0);
    CHECK(hex_digit_value('9') == 9);
    CHECK(hex_digit_value('a') == 10);
    CHECK(hex_digit_value('F') == 15);
    CHECK(hex_digit_value('g') == -1);
    CHECK(hex_digit_value('%') == -1);
    CHECK(hex_digit_value('\0') == -1);
}
