#include "cli.hpp"

#include <vigil/common/secret_file.hpp>

#include <iostream>
#include <set>

#include "cli_args.hpp"
#include "cli_client.hpp"
#include "cli_commands.hpp"
#include "config.hpp"
#include "http_server.hpp"
#include "storage_open.hpp"

namespace vigil::central {
namespace {

constexpr const char* kUsage = R"(usage: vigil-central COMMAND [OPTIONS]

Server:
  serve --config FILE [--verbose]      run the central node (HTTPS REST API + SQLite or PostgreSQL)
  check-config --config FILE           validate a central.yaml and exit
  migrate --config FILE                bring the database schema to this version's (serve does it too)

On the central host (needs --config; works whether or not the server runs):
  operator add NAME --role viewer|responder|admin   prints the new operator's token once
  operator list | operator remove NAME

Admin (talks to a running server over the operator API):
  agents                               list agents
  agents revoke ID                     revoke the agent's certificates, cancel its pending tasks (admin)
  enroll create [--uses N] [--expires 24h] [--role agent]
                                       an enrollment token for agents, printed once (admin)
  enroll list                          enrollment tokens (no secrets) (admin)
  events [--agent ID] [--type process|network|file|detection|action|status]
         [--since T] [--until T] [--text S] [--limit N]
                                       T: RFC 3339, ns since epoch, or 30s/10m/2h/7d ago
  task create --agent ID TYPE [KEY=VALUE...] [--args JSON] [--timeout S]
              [--sign-key FILE [--sign-expires 1h]]   sign with an Ed25519 key (PEM, 0600) agents pin
  task show ID [--wait S]              --wait: poll until the task is final (exit 1 if not)
  task list [--agent ID] [--limit N]
  file get TASK_ID OUT                 download a task's file, verified against the hash in the agent's result
  audit [--since T] [--operator NAME] [--limit N]   the audit log (admin)
  stats                                stored events, batches, agents, tasks

Connection (flag, else environment, else the --config file):
  --server URL        VIGIL_CENTRAL_URL         e.g. https://127.0.0.1:8443
  --ca FILE           VIGIL_CENTRAL_CA          CA that signed the server certificate
  --token-file FILE   VIGIL_CENTRAL_TOKEN_FILE  operator token in a file only you can read (0600)
                      VIGIL_CENTRAL_TOKEN       the token itself (--token T works too, but shows in ps)
  --cert FILE         VIGIL_CENTRAL_CERT        client certificate (PEM) if the server requires one
  --key FILE          VIGIL_CENTRAL_KEY         its private key
  --config FILE       VIGIL_CENTRAL_CONFIG      central.yaml to take defaults from
Output: human-readable tables (control characters in agent data are shown escaped), or the
API's JSON with --json.
)";

std::string token_from(const std::string& file) {
    try {
        return vigil::common::read_secret_file(file);
    } catch (const std::exception& e) {
        throw UsageError(std::string("operator token: ") + e.what());
    }
}

// The operator token: --token-file, VIGIL_CENTRAL_TOKEN_FILE, VIGIL_CENTRAL_TOKEN, --token,
// then the config's cli.token_file.
std::string operator_token(const Args& a, const std::string& config_token_file) {
    if (auto f = a.opt("token-file")) return token_from(*f);
    if (auto f = env("VIGIL_CENTRAL_TOKEN_FILE"); !f.empty()) return token_from(f);
    if (auto t = env("VIGIL_CENTRAL_TOKEN"); !t.empty()) return t;
    if (auto t = a.opt("token")) {
        std::cerr << "vigil-central: warning: --token is visible to other users (ps); use --token-file or "
                     "VIGIL_CENTRAL_TOKEN\n";
        return *t;
    }
    return config_token_file.empty() ? "" : token_from(config_token_file);
}

ClientOptions client_options(const Args& a) {
    ClientOptions o;
    std::string config_path = a.opt("config").value_or(env("VIGIL_CENTRAL_CONFIG"));
    std::string config_token_file;
    if (!config_path.empty()) {
        CentralConfig c = load_config(config_path);
        o.url = c.cli.url;
        o.ca = c.cli.ca;
        o.certificate = c.cli.certificate;
        o.private_key = c.cli.private_key;
        config_token_file = c.cli.token_file;
    }
    auto pick = [&](const char* flag, const char* var, std::string& target) {
        if (auto v = a.opt(flag)) {
            target = *v;
        } else if (auto e = env(var); !e.empty()) {
            target = e;
        }
    };
    pick("server", "VIGIL_CENTRAL_URL", o.url);
    pick("ca", "VIGIL_CENTRAL_CA", o.ca);
    pick("cert", "VIGIL_CENTRAL_CERT", o.certificate);
    pick("key", "VIGIL_CENTRAL_KEY", o.private_key);
    o.token = operator_token(a, config_token_file);
    if (o.url.empty())
        throw UsageError("no server: pass --server URL, set VIGIL_CENTRAL_URL, or pass --config FILE");
    return o;
}

int run_server_command(const std::string& cmd, const Args& a) {
    auto path = a.opt("config");
    if (!path) throw UsageError(cmd + " needs --config FILE");
    CentralConfig config = load_config(*path);
    if (cmd == "serve") return serve(config, a.flag("verbose"));
    if (cmd == "migrate") {
        std::cout << migrate_storage(config) << "\n";
        return 0;
    }
    std::cout << *path << ": ok\n";
    return 0;
}

int run_client_command(const std::string& cmd, const Args& a) {
    CentralClient client(client_options(a));
    if (cmd == "agents")
        return a.positional.size() > 1 && a.positional[1] == "revoke" ? cmd_revoke(client, a) : cmd_agents(client, a);
    if (cmd == "events") return cmd_events(client, a);
    if (cmd == "task") return cmd_task(client, a);
    if (cmd == "file") return cmd_file(client, a);
    if (cmd == "enroll") return cmd_enroll(client, a);
    if (cmd == "audit") return cmd_audit(client, a);
    return cmd_stats(client, a);
}

}  // namespace

int run_cli(int argc, char** argv) {
    try {
        Args a = parse_args(argc, argv, 1);
        if (a.positional.empty() || a.flag("help") || a.positional[0] == "help") {
            std::cout << kUsage;
            return a.positional.empty() && !a.flag("help") ? 2 : 0;
        }
        const std::string& cmd = a.positional[0];
        if (cmd == "serve" || cmd == "check-config" || cmd == "migrate") return run_server_command(cmd, a);
        if (cmd == "operator") return cmd_operator(a);
        static const std::set<std::string> kClientCommands = {"agents", "events", "task", "file",
                                                              "stats",  "enroll", "audit"};
        if (!kClientCommands.count(cmd)) throw UsageError("unknown command " + cmd);
        return run_client_command(cmd, a);
    } catch (const UsageError& e) {
        std::cerr << "vigil-central: " << e.what() << "\n(see vigil-central --help)\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "vigil-central: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace vigil::central
