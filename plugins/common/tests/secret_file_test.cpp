#include "vigil/common/secret_file.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "vigil/testing/temp_dir.hpp"

using vigil::common::read_secret_file;

TEST_CASE("secret files: owner-only files are read, anything others can reach is refused") {
    vigil::testing::TempDir dir;
    std::string path = dir.path().string() + "/token";
    std::ofstream(path) << "s3cret-token\nsecond line\n";
    ::chmod(path.c_str(), 0600);
    CHECK(read_secret_file(path) == "s3cret-token");
    ::chmod(path.c_str(), 0400);
    CHECK(read_secret_file(path) == "s3cret-token");
    ::chmod(path.c_str(), 0640);
    CHECK_THROWS_WITH_AS(read_secret_file(path), doctest::Contains("mode 0640"), std::runtime_error);
    ::chmod(path.c_str(), 0604);
    CHECK_THROWS_WITH_AS(read_secret_file(path), doctest::Contains("chmod 600"), std::runtime_error);
    ::chmod(path.c_str(), 0600);
    std::string link = dir.path().string() + "/link";
    REQUIRE(::symlink(path.c_str(), link.c_str()) == 0);
    CHECK_THROWS_AS(read_secret_file(link), std::runtime_error);
    CHECK_THROWS_WITH_AS(read_secret_file(dir.path().string() + "/missing"), doctest::Contains("missing"), std::runtime_error);
    CHECK_THROWS_WITH_AS(read_secret_file(dir.path().string()), doctest::Contains("not a regular file"), std::runtime_error);
    std::string empty = dir.path().string() + "/empty";
    std::ofstream(empty) << "\n";
    ::chmod(empty.c_str(), 0600);
    CHECK_THROWS_WITH_AS(read_secret_file(empty), doctest::Contains("empty"), std::runtime_error);
}
