// Vigil C++ SDK: header-only, dependency-free helpers over the C ABI in
// plugin.h / events.h. This umbrella includes every part; include a part
// alone when that is all a file needs.
//
//   payload.hpp          read (view<T>) and build (PayloadBuilder<T>) flat payloads
//   host.hpp             Host: log, publish, subscribe, commands, timers, post, status
//   message.hpp          Message, Command, CommandResult, Reply (what callbacks receive)
//   plugin.hpp           Plugin base class, VIGIL_PLUGIN entry macro
//   json_writer.hpp      JsonWriter, json_escape (UTF-8-safe)
//   json_reader.hpp      json::parse / json::Value (strict, bounded)
//   settings.hpp         SettingsReader: schema-validated settings into a typed struct
//   names.hpp            text names of every events.h / plugin.h enum value
//   records.hpp          ActionResult, Threat: the critical records, by field name
//   status.hpp           StatusReporter: status JSON now and periodically
//   command_workers.hpp  CommandWorkers: long commands on bounded worker threads
//   agent.hpp            agent_settings() (ABI 1.3, typed), the connector-contact contract
//
// A plugin is a class derived from vigil::Plugin, exported with VIGIL_PLUGIN:
//
//   class Hello : public vigil::Plugin {
//   public:
//     explicit Hello(vigil::Host& host) : Plugin(host) {
//       host.subscribe(VIGIL_TYPE_PROCESS_START, [this](const vigil::Message& m) { ... });
//       host.on_command("hello.ping", [](const vigil::Command& c, vigil::Reply r) {
//         r.ok("{\"pong\":true}");
//       });
//     }
//     void start() override {}
//     void stop() override {}
//   };
//   VIGIL_PLUGIN(Hello, "hello", "1.0.0", "says hello", nullptr, kSchema, "Apache-2.0", nullptr)
//
// No exception ever crosses the boundary: every entry point catches it; a
// lifecycle call returns an error code with the message in last_error(), a
// command handler answers VIGIL_EINTERNAL, and every other callback's
// exception is logged and counted (metric callback_exceptions).
#pragma once

#include "agent.hpp"
#include "command_workers.hpp"
#include "events.h"
#include "host.hpp"
#include "json_reader.hpp"
#include "json_writer.hpp"
#include "message.hpp"
#include "names.hpp"
#include "payload.hpp"
#include "plugin.h"
#include "plugin.hpp"
#include "records.hpp"
#include "settings.hpp"
#include "status.hpp"
