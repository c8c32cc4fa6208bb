#include <doctest/doctest.h>

#include "digest.hpp"
#include "eicar.hpp"

using namespace vigil::file_threat;

TEST_CASE("file_threat eicar: the built-in string is the standard one") {
    const auto& s = eicar_string();
    CHECK(s.size() == 68);
    CHECK(to_hex(digest_bytes(s).sha256) == "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f");
    CHECK(to_hex(digest_bytes(s).md5) == "44d88612fea8a8f36de82e1278abb02f");
}

TEST_CASE("file_threat eicar: detection follows the EICAR definition") {
    const auto& s = eicar_string();
    CHECK(is_eicar(s));
    CHECK(is_eicar(s + "\n"));
    CHECK(is_eicar(s + "\r\n"));
    CHECK(is_eicar(s + std::string(60, ' ')));           // 128 bytes total
    CHECK_FALSE(is_eicar(s + std::string(61, ' ')));     // 129 bytes
    CHECK_FALSE(is_eicar("hello " + s));                 // must start the file
    CHECK_FALSE(is_eicar(s.substr(0, 67)));              // truncated
    CHECK_FALSE(is_eicar(s + "x"));                      // other trailing content
    CHECK_FALSE(is_eicar(""));
}
