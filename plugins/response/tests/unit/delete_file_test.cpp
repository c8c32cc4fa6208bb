#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>

#include "action_error.hpp"
#include "delete_file.hpp"
#include "settings.hpp"
#include <vigil/common/digest.hpp>
#include "test_util.hpp"

using namespace vigil::response;
using response_test::TempDir;

namespace {
// Stands in for the host's store in unit tests (the integration test uses
// the real one): moves the file into `dir` and answers like the host.
QuarantinePut store_in(const std::string& dir, int* calls) {
    return [dir, calls](const vigil::common::FileRef& ref) {
        const std::string& path = ref.path;
        ++*calls;
        std::string dest = dir + "/entry" + std::to_string(*calls);
        if (std::rename(path.c_str(), dest.c_str()) != 0) throw std::runtime_error("rename failed");
        return std::string(R"({"id":"q)") + std::to_string(*calls) + R"(","original_path":")" + path +
               R"("})";
    };
}
}  // namespace

TEST_CASE("response_delete_file: backs up then deletes a regular file") {
    TempDir t;
    ::mkdir((t / "store").c_str(), 0700);
    response_test::write_file(t / "victim", "malware");
    int calls = 0;
    DeleteOutcome d = delete_file({t / "victim", std::nullopt}, PathRules(default_protected_paths()), {},
                                  1 << 20, nullptr, store_in(t / "store", &calls));
    CHECK(calls == 1);
    CHECK(d.backup_id == "q1");
    CHECK_FALSE(response_test::exists(t / "victim"));
    CHECK(response_test::read_file(t / "store/entry1") == "malware");
    CHECK(d.check.facts.size == 7);
}

TEST_CASE("response_delete_file: expected SHA-256") {
    TempDir t;
    ::mkdir((t / "store").c_str(), 0700);
    response_test::write_file(t / "f", "abc");
    int calls = 0;
    const std::string good = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    const std::string bad(64, '0');
    CHECK_THROWS_WITH_AS(delete_file({t / "f", bad}, {}, {}, 1 << 20, nullptr, store_in(t / "store", &calls)),
                         doctest::Contains(("not the expected " + bad).c_str()), ActionError);
    CHECK(calls == 0);
    CHECK(response_test::exists(t / "f"));
    DeleteOutcome d = delete_file({t / "f", good}, {}, {}, 1 << 20, nullptr, store_in(t / "store", &calls));
    CHECK(d.check.facts.sha256 == good);
    CHECK_FALSE(response_test::exists(t / "f"));
    response_test::write_file(t / "big", std::string(100, 'x'));
    CHECK_THROWS_WITH_AS(delete_file({t / "big", good}, {}, {}, 50, nullptr, store_in(t / "store", &calls)),
                         doctest::Contains("too large to verify"), ActionError);
}

TEST_CASE("response_delete_file: refusals leave the file in place") {
    TempDir t;
    int calls = 0;
    auto put = store_in(t.path(), &calls);
    ::mkdir((t / "dir").c_str(), 0700);
    CHECK_THROWS_WITH_AS(delete_file({t / "dir", {}}, {}, {}, 1 << 20, nullptr, put),
                         doctest::Contains("is a directory"), ActionError);
    response_test::write_file(t / "target", "x");
    REQUIRE(::symlink((t / "target").c_str(), (t / "link").c_str()) == 0);
    CHECK_THROWS_WITH_AS(delete_file({t / "link", {}}, {}, {}, 1 << 20, nullptr, put),
                         doctest::Contains("is a symbolic link"), ActionError);
    CHECK_THROWS_WITH_AS(delete_file({"/dev/null", {}}, {}, {}, 1 << 20, nullptr, put),
                         doctest::Contains("character device"), ActionError);
    CHECK_THROWS_WITH_AS(delete_file({t / "missing", {}}, {}, {}, 1 << 20, nullptr, put),
                         doctest::Contains("No such file"), ActionError);
    // Protected paths, also when reached through a symlinked directory.
    PathRules rules({t / "target", t / "prot/**"});
    ::mkdir((t / "prot").c_str(), 0700);
    response_test::write_file(t / "prot/inner", "x");
    REQUIRE(::symlink((t / "prot").c_str(), (t / "alias").c_str()) == 0);
    CHECK_THROWS_WITH_AS(delete_file({t / "target", {}}, rules, {}, 1 << 20, nullptr, put),
                         doctest::Contains("is a protected path"), ActionError);
    CHECK_THROWS_WITH_AS(delete_file({t / "alias/inner", {}}, rules, {}, 1 << 20, nullptr, put),
                         doctest::Contains("is a protected path"), ActionError);
    CHECK_THROWS_WITH_AS(
        delete_file({"/etc/passwd", {}}, PathRules(default_protected_paths()), {}, 1 << 20, nullptr, put),
        doctest::Contains("protected path (rule \"/etc/passwd\")"), ActionError);
    CHECK(calls == 0);
    CHECK(response_test::exists(t / "target"));
    CHECK(response_test::exists(t / "prot/inner"));
}

TEST_CASE("response_delete_file: the agent's own files are refused") {
    TempDir t;
    int calls = 0;
    auto put = store_in(t.path(), &calls);
    ::mkdir((t / "state").c_str(), 0700);
    response_test::write_file(t / "state/agent-id", "x");
    response_test::write_file(t / "vigild", "binary");
    REQUIRE(::link((t / "vigild").c_str(), (t / "hardlink").c_str()) == 0);
    AgentFiles agent;
    agent.add_dir(t / "state");
    agent.add_file(t / "vigild");
    CHECK_THROWS_WITH_AS(delete_file({t / "state/agent-id", {}}, {}, agent, 1 << 20, nullptr, put),
                         doctest::Contains("belongs to the agent"), ActionError);
    CHECK_THROWS_WITH_AS(delete_file({t / "vigild", {}}, {}, agent, 1 << 20, nullptr, put),
                         doctest::Contains("agent's own file"), ActionError);
    CHECK_THROWS_WITH_AS(delete_file({t / "hardlink", {}}, {}, agent, 1 << 20, nullptr, put),
                         doctest::Contains("link to the agent's own executable"), ActionError);
    CHECK(calls == 0);
}

TEST_CASE("response_delete_file: discovers the agent's files from its config") {
    AgentFiles a =
        AgentFiles::discover(R"({"state_dir":"/var/lib/vigil","plugin_dir":["/opt/vigil/plugins","/x/p"]})",
                             "/var/lib/vigil/plugins/response");
    auto has_dir = [&](const std::string& d) {
        return std::find(a.dirs.begin(), a.dirs.end(), d) != a.dirs.end();
    };
    CHECK(has_dir("/var/lib/vigil"));
    CHECK(has_dir("/opt/vigil/plugins"));
    CHECK(has_dir("/x/p"));
    CHECK_FALSE(a.files.empty());  // /proc/self/exe
    CHECK_FALSE(a.inodes.empty());
    AgentFiles single = AgentFiles::discover(R"({"plugin_dir":"/single"})", "");
    CHECK(single.dirs == std::vector<std::string>{"/single"});
}

TEST_CASE("response_delete_file: a failing store deletes nothing") {
    TempDir t;
    response_test::write_file(t / "f", "x");
    QuarantinePut failing = [](const vigil::common::FileRef&) -> std::string {
        throw std::runtime_error("store full");
    };
    CHECK_THROWS_WITH_AS(delete_file({t / "f", {}}, {}, {}, 1 << 20, nullptr, failing),
                         doctest::Contains("nothing deleted: store full"), ActionError);
    CHECK(response_test::exists(t / "f"));
    QuarantinePut copying = [](const vigil::common::FileRef&) { return std::string(R"({"id":"c1"})"); };
    CHECK_THROWS_WITH_AS(delete_file({t / "f", {}}, {}, {}, 1 << 20, nullptr, copying),
                         doctest::Contains("was not deleted"), ActionError);
}

TEST_CASE("response_delete_file: a directory swapped for a symlink after the checks never redirects the delete") {
    TempDir t;
    ::mkdir((t / "store").c_str(), 0700);
    ::mkdir((t / "d").c_str(), 0755);
    ::mkdir((t / "etc").c_str(), 0755);
    response_test::write_file(t / "d/passwd", "malware");
    response_test::write_file(t / "etc/passwd", "root:x:0:0");
    PathRules rules({t / "etc/**"});
    int calls = 0;
    // The swap happens between the checks and the store, as an attacker would time it.
    QuarantinePut swapping = [&](const vigil::common::FileRef& ref) {
        REQUIRE(std::rename((t / "d").c_str(), (t / "d.old").c_str()) == 0);
        REQUIRE(::symlink((t / "etc").c_str(), (t / "d").c_str()) == 0);
        vigil::common::UniqueFd in = vigil::common::open_verified(ref);  // what a store would read
        vigil::common::unlink_verified(ref);                            // what it would remove
        ++calls;
        return std::string(R"({"id":"q1"})");
    };
    DeleteOutcome d = delete_file({t / "d/passwd", {}}, rules, {}, 1 << 20, nullptr, swapping);
    CHECK(calls == 1);
    CHECK(response_test::read_file(t / "etc/passwd") == "root:x:0:0");
    CHECK_FALSE(response_test::exists(t / "d.old/passwd"));
    // And a path through the symlink now is refused, naming the protected target.
    CHECK_THROWS_WITH_AS(delete_file({t / "d/passwd", {}}, rules, {}, 1 << 20, nullptr, store_in(t / "store", &calls)),
                         doctest::Contains("is a protected path"), ActionError);
    response_test::write_file(t / "etc/other", "x");
    CHECK_THROWS_WITH_AS(delete_file({t / "d/other", {}}, {}, {}, 1 << 20, nullptr, store_in(t / "store", &calls)),
                         doctest::Contains("is a symbolic link"), ActionError);
    CHECK(response_test::exists(t / "etc/other"));
}

TEST_CASE("response_delete_file: a hard link to an exact protected file is refused") {
    TempDir t;
    response_test::write_file(t / "sensitive", "x");
    REQUIRE(::link((t / "sensitive").c_str(), (t / "innocent-looking").c_str()) == 0);
    int calls = 0;
    CHECK_THROWS_WITH_AS(delete_file({t / "innocent-looking", {}}, PathRules({t / "sensitive"}), {}, 1 << 20, nullptr,
                                     store_in(t.path(), &calls)),
                         doctest::Contains("hard link to the protected path"), ActionError);
    CHECK(calls == 0);
}
