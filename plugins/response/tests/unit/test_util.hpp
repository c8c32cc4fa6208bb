// Helpers for the response unit tests: a private temp directory and files.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

#include "vigil/testing/temp_dir.hpp"

namespace response_test {

// The shared TempDir (tests/support) with the string spelling these tests use.
class TempDir : public vigil::testing::TempDir {
public:
    TempDir() : vigil::testing::TempDir("response_test"), text_(vigil::testing::TempDir::path().string()) {}
    const std::string& path() const { return text_; }
    std::string operator/(const std::string& name) const { return text_ + "/" + name; }

private:
    std::string text_;
};

inline void write_file(const std::string& path, const std::string& data, mode_t mode = 0644) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(data.data(), std::streamsize(data.size()));
    out.close();
    ::chmod(path.c_str(), mode);
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace response_test
