// Helpers shared by the unit tests of kataedr, the connector to the central node.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "vigil/testing/temp_dir.hpp"

namespace kataedr_test {

// The shared TempDir (tests/support) with the spelling these tests use.
struct TempDir : vigil::testing::TempDir {
    std::filesystem::path path = vigil::testing::TempDir::path();
    std::string str() const { return path.string(); }
};

}  // namespace kataedr_test
