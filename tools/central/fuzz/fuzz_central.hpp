#pragma once
// The central node the fuzz targets talk to: Api::handle over a temporary SQLite database,
// file store and (optionally) agent CA, with one registered agent, kFuzzAgent. The directory
// is made under $TMPDIR: libFuzzer may end the process without running destructors, so the
// runner (cmake/fuzz_run.sh) points TMPDIR at a scratch directory it empties.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "agent_ca.hpp"
#include "api.hpp"
#include "sqlite_storage.hpp"

namespace vigil::central::fuzz {

inline constexpr const char* kFuzzAgent = "fuzz-agent-0001";

struct FuzzCentral {
    std::string dir;
    std::unique_ptr<SqliteStorage> storage;
    TaskBroker broker;
    std::unique_ptr<FileStore> files;
    std::unique_ptr<AgentCa> ca;
    RevocationList revoked;
    std::unique_ptr<Api> api;

    // `name` prefixes the directory; with `agent_ca` the Api admits agents by certificates of
    // its own CA (as the server does), else it runs without agent trust.
    FuzzCentral(const std::string& name, const ApiSettings& settings, bool text_index, bool agent_ca) {
        const char* tmp = std::getenv("TMPDIR");
        std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + name + ".XXXXXX";
        if (!mkdtemp(tmpl.data())) {
            std::perror("mkdtemp");
            std::abort();
        }
        dir = tmpl;
        storage = std::make_unique<SqliteStorage>(SqliteOptions{dir + "/fuzz.db", text_index, 10000});
        files = std::make_unique<FileStore>(dir + "/files");
        if (agent_ca) {
            ca = AgentCa::load_or_create(dir + "/agent-ca");
            api = std::make_unique<Api>(*storage, broker, *files, settings, AgentTrust{ca.get(), &revoked});
        } else {
            api = std::make_unique<Api>(*storage, broker, *files, settings);
        }
        storage->upsert_agent(AgentRecord{kFuzzAgent, "fuzz-host", "linux", "6.1", "0.1.0", "{}", 1, 1});
    }
    ~FuzzCentral() {
        api.reset();
        storage.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    FuzzCentral(const FuzzCentral&) = delete;
    FuzzCentral& operator=(const FuzzCentral&) = delete;
};

}  // namespace vigil::central::fuzz
