#pragma once
// Opens the storage engine central.yaml names (storage.engine): the SQLite file, or the
// PostgreSQL database with the password from storage.password_file (0600) or libpq's
// environment (PGPASSWORD, PGPASSFILE, PGSERVICEFILE) — never from the command line.
#include <memory>
#include <string>

#include "config.hpp"
#include "pg_task_watch.hpp"
#include "storage.hpp"
#include "task_broker.hpp"

namespace vigil::central {

// Throws std::runtime_error naming the engine and why it cannot be opened.
std::unique_ptr<Storage> open_storage(const CentralConfig& config);

// PostgreSQL: the node's listener for tasks created on any node, waking `broker`'s long
// polls; nullptr with SQLite (one node: the broker sees every task it creates).
std::unique_ptr<PgTaskWatch> watch_tasks(const CentralConfig& config, TaskBroker& broker);

// For the startup line: "database /path/central.db" or "postgresql <url>" (never a password).
std::string storage_description(const CentralConfig& config);

// `vigil-central migrate`: brings the schema to this version's; returns what it did, for the
// operator (SQLite creates and upgrades its schema whenever it opens the file).
std::string migrate_storage(const CentralConfig& config);

}  // namespace vigil::central
