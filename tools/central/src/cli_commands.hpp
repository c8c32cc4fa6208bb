#pragma once
// The CLI's commands. Over the operator API: agents, events, task, file, stats (cli_commands.cpp);
// enroll, agents revoke, audit (cli_admin.cpp). On the central host, against the database:
// operator add/list/remove (cli_admin.cpp).
#include "cli_args.hpp"
#include "cli_client.hpp"

namespace vigil::central {

int cmd_agents(CentralClient& client, const Args& a);
int cmd_events(CentralClient& client, const Args& a);
int cmd_task(CentralClient& client, const Args& a);
int cmd_file(CentralClient& client, const Args& a);
int cmd_stats(CentralClient& client, const Args& a);

int cmd_enroll(CentralClient& client, const Args& a);
int cmd_revoke(CentralClient& client, const Args& a);
int cmd_audit(CentralClient& client, const Args& a);
// Local: needs --config (the database), no server.
int cmd_operator(const Args& a);

}  // namespace vigil::central
