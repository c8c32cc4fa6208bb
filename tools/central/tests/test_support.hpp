#pragma once
// Helpers for central unit tests: a temporary directory that removes itself.
#include <unistd.h>

#include <filesystem>
#include <string>

namespace central_test {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/central_test.XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

}  // namespace central_test
