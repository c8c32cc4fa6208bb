// A process record whose completion job finished is settled into the table: its events take
// the context as it is (no copy per event) and carry what the job found.
#include "process/process_table.hpp"
#include "telemetry_pipeline.hpp"
#include "workload.hpp"

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

using namespace vigil::behavior;

TEST_CASE("process table replaces an entry only while it is still the expected one") {
    ProcessTable t({8, 4});
    auto first = std::make_shared<ProcessRecord>();
    first->info.pid = 10;
    first->info.exe = "/bin/a";
    auto settled = std::make_shared<ProcessRecord>(*first);
    settled->info.sha256 = "ab";
    t.put(first);
    CHECK(t.replace(first, settled));
    CHECK(t.find(10)->info.sha256 == "ab");
    // An exec put a newer record meanwhile: a copy of the old one must not overwrite it.
    auto exec = std::make_shared<ProcessRecord>();
    exec->info.pid = 10;
    exec->info.exe = "/bin/b";
    t.put(exec);
    CHECK_FALSE(t.replace(settled, std::make_shared<ProcessRecord>(*settled)));
    CHECK(t.find(10)->info.exe == "/bin/b");
    // Exited records are settled in place too.
    auto gone = t.remove_on_exit(10);
    auto gone_settled = std::make_shared<ProcessRecord>(*gone);
    gone_settled->info.sha256 = "cd";
    CHECK(t.replace(gone, gone_settled));
    CHECK(t.find(10)->info.sha256 == "cd");
    CHECK_FALSE(t.replace(nullptr, gone_settled));
}

TEST_CASE("pipeline: once the hash and argv job is done the record is settled and its events carry the result") {
    pid_t child = test::spawn({"/bin/sleep", "30"});
    REQUIRE(child > 0);
    const auto sleep_exe = std::filesystem::canonical("/bin/sleep");
    std::error_code ec;
    for (int i = 0; i < 200 && std::filesystem::read_symlink("/proc/" + std::to_string(child) + "/exe", ec) != sleep_exe;
         ++i)
        ::usleep(10000);
    PipelineOptions o;
    o.self_pid = -1;
    o.files = PathFilter({"/"}, {});
    std::vector<std::vector<uint8_t>> files;
    std::mutex mu;
    TelemetryPipeline p(o, [&](uint32_t type, const void* data, uint32_t size) {
        std::lock_guard g(mu);
        if (type == VIGIL_TYPE_FILE) files.emplace_back((const uint8_t*)data, (const uint8_t*)data + size);
    });
    p.on_exec(ExecEvent{int32_t(child), int32_t(::getpid()), std::nullopt});  // read from /proc: a job
    ProcessTable::Ptr ctx;
    for (int i = 0; i < 500; ++i) {
        ctx = p.context(child);
        if (ctx && !ctx->completion) break;
        ::usleep(10000);
    }
    REQUIRE(ctx);
    CHECK_FALSE(ctx->completion);
    CHECK(ctx->info.hash_status == VIGIL_HASH_OK);
    CHECK(ctx->info.sha256.size() == 64);
    CHECK(ctx->info.argv == std::vector<std::string>{"/bin/sleep", "30"});
    CHECK(p.context(child) == ctx);  // settled once, then taken as it is
    FileEvent e;
    e.pid = child;
    e.action = VIGIL_FILE_DELETE;
    e.path = "/tmp/settled-test";
    p.on_file(std::move(e));
    p.stop();
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    std::lock_guard g(mu);
    REQUIRE(files.size() == 1);
    auto proc = vigil::read_process(files[0].data(), uint32_t(files[0].size()),
                                    vigil::view<vigil_file_event>(files[0].data(), uint32_t(files[0].size()))->process);
    CHECK(proc.sha256 == ctx->info.sha256);
    CHECK(proc.cmdline == "/bin/sleep 30");
}
