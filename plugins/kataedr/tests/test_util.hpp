// Helpers shared by the kataedr unit tests.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace kataedr_test {

// A fresh temporary directory removed when the object goes away.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "kataedr_test_XXXXXX").string();
        char* p = ::mkdtemp(tmpl.data());
        path = p ? p : tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string str() const { return path.string(); }
};

}  // namespace kataedr_test
