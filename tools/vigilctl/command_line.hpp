// Turns vigilctl's command line into a control request: built-in commands,
// aliases for common plugin commands, and the generic form
//   vigilctl <plugin> <verb> [positional...] [--key value]...
// which calls command "<plugin>.<verb>" with {"args":[...], "key": value}.
#pragma once
#include <string>
#include <vector>

namespace vigil::ctl {

struct Invocation {
    std::string socket = "/run/vigil/vigild.sock";
    bool json = false;
    bool help = false;
    double timeout_s = 0;           // 0 = default for the command
    std::string kind;               // status | plugins | metrics | events | config_check | call
    std::vector<std::string> event_types;
    std::string config_path;
    std::string command;            // for kind == call
    std::string args_json = "{}";   // for kind == call
    std::string error;              // non-empty when the command line is invalid
    // From $VIGIL_SOCKET: vigilctl then talks only to a daemon running as root.
    bool socket_from_env = false;
    std::vector<std::string> warnings;  // printed to stderr, the command still runs
};

// Why the socket named by $VIGIL_SOCKET must not be used ("" = it may): a
// poisoned environment of a root shell must not lead vigilctl to a daemon of
// someone else's. The socket must exist and be owned by root.
std::string env_socket_problem(const std::string& path);

Invocation parse_command_line(const std::vector<std::string>& argv);
// JSON value for a --key value: JSON numbers, booleans, arrays and objects as
// themselves, anything else as a string.
std::string value_to_json(const std::string& v);
std::string usage_text();

}  // namespace vigil::ctl
