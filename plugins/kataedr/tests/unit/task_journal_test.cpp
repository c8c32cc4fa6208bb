#include "task_journal.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "test_util.hpp"

using namespace vigil::kataedr;
using kataedr_test::TempDir;

TEST_CASE("task journal: stores results, survives restart, tracks posting") {
    TempDir d;
    std::string dir = d.str() + "/tasks";
    {
        TaskJournal j(dir);
        CHECK_FALSE(j.find("t1"));
        j.record({"t1", R"({"status":"ok"})", false, "/tmp/f", true, 10});
        j.record({"../evil/id", R"({"status":"error"})", false, "", false, 20});
        CHECK(j.find("t1")->upload_file == "/tmp/f");
        j.mark_posted("t1");
    }
    TaskJournal j(dir);
    auto e = j.find("t1");
    REQUIRE(e);
    CHECK(e->posted);
    CHECK(e->result_body == R"({"status":"ok"})");
    auto un = j.unposted();
    REQUIRE(un.size() == 1);
    CHECK(un[0].id == "../evil/id");  // a hostile id stays a plain file name inside the journal
}

TEST_CASE("task journal: bounded") {
    TempDir d;
    TaskJournal j(d.str() + "/tasks", 5);
    for (int i = 0; i < 12; ++i) j.record({"t" + std::to_string(i), "{}", true, "", false, uint64_t(i)});
    CHECK(j.size() == 5);
}
