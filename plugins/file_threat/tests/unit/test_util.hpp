#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "vigil/testing/temp_dir.hpp"

// The shared TempDir (tests/support) with the spelling these tests use.
struct TempDir : vigil::testing::TempDir {
    std::filesystem::path path = vigil::testing::TempDir::path();
    std::string file(const std::string& name, const std::string& content) const { return write(name, content); }
};

inline std::string corpus(const std::string& rel) { return std::string(VIGIL_CORPUS_DIR) + "/" + rel; }
