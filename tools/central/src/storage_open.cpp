#include "storage_open.hpp"

#include <stdexcept>

#include <vigil/common/secret_file.hpp>

#include "pg_storage.hpp"
#include "sqlite_storage.hpp"

namespace vigil::central {
namespace {

PgOptions pg_options(const CentralConfig& config, PgOptions::Schema schema) {
    PgOptions o;
    o.url = config.storage.url;
    o.connections = config.storage.connections;
    o.retention_days = config.storage.retention_days;
    o.schema = schema;
    if (!config.storage.password_file.empty()) {
        try {
            o.password = vigil::common::read_secret_file(config.storage.password_file);
        } catch (const std::exception& e) {
            throw std::runtime_error("storage.password_file: " + std::string(e.what()));
        }
    }
    return o;
}

SqliteOptions sqlite_options(const CentralConfig& config) {
    SqliteOptions o{config.database, config.text_index, 10000, config.cache_mib};
    o.retention_days = config.storage.retention_days;
    o.max_database_bytes = static_cast<uint64_t>(config.storage.max_database_gb * 1e9);
    return o;
}

}  // namespace

std::unique_ptr<Storage> open_storage(const CentralConfig& config) {
    if (config.storage.engine == "postgresql") return std::make_unique<PgStorage>(pg_options(config, PgOptions::Schema::migrate));
    return std::make_unique<SqliteStorage>(sqlite_options(config));
}

std::unique_ptr<PgTaskWatch> watch_tasks(const CentralConfig& config, TaskBroker& broker) {
    if (config.storage.engine != "postgresql") return nullptr;
    const PgOptions o = pg_options(config, PgOptions::Schema::leave);
    return std::make_unique<PgTaskWatch>(
        o.url, o.password, [&broker](const std::string& agent) { broker.notify(agent); },
        [&broker] { broker.notify_waiting(); });
}

std::string storage_description(const CentralConfig& config) {
    if (config.storage.engine == "postgresql") return "postgresql " + config.storage.url;
    return "database " + config.database;
}

std::string migrate_storage(const CentralConfig& config) {
    if (config.storage.engine != "postgresql") {
        SqliteStorage s(sqlite_options(config));
        return "sqlite: " + config.database + " has the current schema";
    }
    PgOptions o = pg_options(config, PgOptions::Schema::leave);
    o.connections = 1;
    PgStorage s(o);
    auto m = s.migrate();
    if (m.from == m.to) return "postgresql: schema version " + std::to_string(m.to) + " is current";
    return "postgresql: schema migrated from version " + std::to_string(m.from) + " to " + std::to_string(m.to);
}

}  // namespace vigil::central
