#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "vigil/common/trusted_path.hpp"
#include "vigil/testing/temp_dir.hpp"

using namespace vigil::common;
namespace fs = std::filesystem;

namespace {

// The checks are about root-owned trees: as another user they cannot pass.
bool running_as_root() { return ::geteuid() == 0; }

std::string why(const std::string& p, PathKind k = PathKind::any) { return why_untrusted(p, k).value_or(""); }

}  // namespace

TEST_CASE("trusted path: root-owned files and directories pass, through /tmp's sticky bit too") {
    if (!running_as_root()) return;
    vigil::testing::TempDir t("trusted_path");
    ::chmod(t.path().c_str(), 0755);
    const std::string f = t.write("etc/vigil.yaml", "x");
    ::chmod((t / "etc").c_str(), 0755);
    ::chmod(f.c_str(), 0644);
    CHECK(why(f) == "");
    CHECK(why(f, PathKind::file) == "");
    CHECK(why((t / "etc").string(), PathKind::directory) == "");
    CHECK(why((t / "etc/../etc/./vigil.yaml").string()) == "");
    CHECK(why(f, PathKind::directory) == f + ": not a directory");
    CHECK(why((t / "etc").string(), PathKind::file) == (t / "etc").string() + ": not a regular file");
    CHECK(require_trusted_path(f, "config") == "");
    // A relative path is judged from the current directory.
    const auto cwd = fs::current_path();
    fs::current_path(t.path());
    CHECK(why("etc/vigil.yaml") == "");
    fs::current_path(cwd);
}

TEST_CASE("trusted path: group/other-writable or foreign-owned files and directories are refused") {
    if (!running_as_root()) return;
    vigil::testing::TempDir t("trusted_path");
    ::chmod(t.path().c_str(), 0755);
    const std::string dir = (t / "plugins").string();
    const std::string so = t.write("plugins/x.so", "x");
    ::chmod(dir.c_str(), 0755);
    ::chmod(so.c_str(), 0644);
    REQUIRE(why(so) == "");

    ::chmod(so.c_str(), 0666);
    CHECK(why(so) == so + ": writable by group or others (mode 0666)");
    ::chmod(so.c_str(), 0664);
    CHECK(why(so) == so + ": writable by group or others (mode 0664)");
    ::chmod(so.c_str(), 0644);
    ::chmod(dir.c_str(), 0777);
    CHECK(why(so) == dir + ": writable by group or others (mode 0777)");
    // The sticky exception is for directories on the way, not for the target.
    ::chmod(dir.c_str(), 01777);
    CHECK(why(dir, PathKind::directory) == dir + ": writable by group or others (mode 1777)");
    CHECK(why(so) == "");
    ::chmod(dir.c_str(), 0755);
    REQUIRE(::chown(so.c_str(), 65534, 0) == 0);
    CHECK(why(so) == so + ": owned by uid 65534, not root");
    REQUIRE(::chown(so.c_str(), 0, 0) == 0);
    REQUIRE(::chown(dir.c_str(), 65534, 65534) == 0);
    CHECK(why(so) == dir + ": owned by uid 65534, not root");
    REQUIRE(::chown(dir.c_str(), 0, 0) == 0);
    CHECK(why((t / "missing.so").string()) == (t / "missing.so").string() + ": No such file or directory");
    CHECK(why("") == "empty path");

    ::chmod(so.c_str(), 0666);
    CHECK_THROWS_WITH_AS(require_trusted_path(so, "plugin"),
                         doctest::Contains(("plugin " + so + ": not trusted: " + so + ": writable").c_str()),
                         UntrustedPath);
    ::setenv("VIGIL_INSECURE_DEV_PERMISSIONS", "1", 1);
    CHECK(require_trusted_path(so, "plugin").find("INSECURE") == 0);
    ::unsetenv("VIGIL_INSECURE_DEV_PERMISSIONS");
    CHECK_THROWS_AS(require_trusted_path(so, "plugin"), UntrustedPath);
}

TEST_CASE("trusted path: symbolic links are followed and the directories on both sides judged") {
    if (!running_as_root()) return;
    vigil::testing::TempDir t("trusted_path");
    ::chmod(t.path().c_str(), 0755);
    const std::string good = t.write("good/rules.yml", "x");
    const std::string evil = t.write("evil/rules.yml", "x");
    ::chmod((t / "good").c_str(), 0755);
    ::chmod(good.c_str(), 0644);
    ::chmod((t / "evil").c_str(), 0777);
    ::chmod(evil.c_str(), 0644);
    // A trusted link to a file in a directory others may write.
    fs::create_symlink(evil, t / "good/link.yml");
    CHECK(why((t / "good/link.yml").string()) == (t / "evil").string() + ": writable by group or others (mode 0777)");
    // A link in a directory others may write, to a trusted file: they could swap it.
    fs::create_symlink(good, t / "evil/link.yml");
    CHECK(why((t / "evil/link.yml").string()) == (t / "evil").string() + ": writable by group or others (mode 0777)");
    // Relative links and a link to a directory.
    fs::create_symlink("../good", t / "good/self");
    CHECK(why((t / "good/self/rules.yml").string()) == "");
    fs::create_symlink("loop", t / "good/loop");
    CHECK(why((t / "good/loop").string()).find("too many symbolic links") != std::string::npos);
}
