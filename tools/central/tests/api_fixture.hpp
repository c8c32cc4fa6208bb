#pragma once
// What an Api under test runs on: a fresh store of the binary's engine (storage_env.hpp), task broker, file store and
// agent CA with its revocation list. A test fixture derives from it and adds its Api
// (members are built in order, so the backends exist first).
#include <memory>

#include "agent_ca.hpp"
#include "api.hpp"
#include "storage_env.hpp"
#include "test_support.hpp"

namespace central_test {

struct ApiBackends {
    TempDir dir;
    std::unique_ptr<StoreEnv> env = make_store_env();  // the engine this test binary runs on
    std::unique_ptr<vigil::central::Storage> store = env->open();
    vigil::central::Storage& storage = *store;
    vigil::central::TaskBroker broker;
    vigil::central::FileStore files{dir.path + "/files"};
    std::unique_ptr<vigil::central::AgentCa> ca = vigil::central::AgentCa::load_or_create(dir.path + "/agent-ca");
    vigil::central::RevocationList revoked;

    vigil::central::AgentTrust trust() { return vigil::central::AgentTrust{ca.get(), &revoked}; }
};

}  // namespace central_test
