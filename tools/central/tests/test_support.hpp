#pragma once
// Helpers for central unit tests: a temporary directory that removes itself.
#include <unistd.h>

#include <filesystem>
#include <string>

#include "vigil/testing/temp_dir.hpp"

namespace central_test {

// The shared TempDir (tests/support) with the string member these tests use.
struct TempDir : vigil::testing::TempDir {
    std::string path = vigil::testing::TempDir::path().string();
};

}  // namespace central_test
