// Administration from the CLI: enrollment tokens, revocation and the audit log over the
// operator API (admin role), and operators, which are managed on the central host itself
// against the database (the first admin has no token to call the API with).
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>

#include "api.hpp"
#include "auth_tokens.hpp"
#include "cli_commands.hpp"
#include "cli_output.hpp"
#include "config.hpp"
#include "json.hpp"
#include "storage_open.hpp"
#include "time_spec.hpp"

namespace vigil::central {
namespace {

std::string local_user() {
    const passwd* pw = ::getpwuid(::geteuid());
    return "local:" + (pw ? std::string(pw->pw_name) : std::to_string(::geteuid()));
}

void local_audit(Storage& storage, const std::string& action, const std::string& target, const std::string& detail,
                 const std::string& outcome) {
    storage.append_audit(AuditRecord{0, now_ns(), local_user(), "local", "local", action, target, detail, outcome});
}

int enroll_list(CentralClient& client, const Args& a) {
    auto doc = expect_json(client.request("GET", "/api/v1/enrollments"));
    if (a.flag("json")) return print_json(doc), 0;
    std::vector<std::vector<std::string>> rows;
    for (const auto& t : array_at(doc, "enrollments").GetArray()) {
        rows.push_back({str_at(t, {"id"}), str_at(t, {"role"}),
                        std::to_string(i64_at(t, "uses")) + "/" + std::to_string(i64_at(t, "max_uses")),
                        format_time(i64_at(t, "created_ns")), format_time(i64_at(t, "expires_ns")),
                        str_at(t, {"created_by"})});
    }
    print_table({"ID", "ROLE", "USED", "CREATED", "EXPIRES", "BY"}, rows);
    return 0;
}

int operator_add(Storage& storage, const Args& a) {
    if (a.positional.size() != 3) throw UsageError("usage: operator add NAME --role viewer|responder|admin");
    const std::string& name = a.positional[2];
    if (name.empty() || name.size() > 64 || name.find_first_of(" \t\r\n:") != std::string::npos)
        throw UsageError("operator name: 1-64 characters without spaces or ':'");
    auto role = role_from_string(a.opt("role").value_or(""));
    if (!role) throw UsageError("operator add needs --role viewer, responder or admin");
    std::string token = new_secret_token("vgo_");
    OperatorRecord op{name, to_string(*role), token_hash(token), now_ns()};
    if (!storage.add_operator(op)) {
        local_audit(storage, "operator.add", name, std::string("role ") + to_string(*role), "failed: exists");
        throw std::runtime_error("operator " + name + " exists (remove it first to issue a new token)");
    }
    local_audit(storage, "operator.add", name, std::string("role ") + to_string(*role), "ok");
    std::cerr << "operator " << name << " (" << to_string(*role)
              << "): the token below is shown once and stored only as its SHA-256\n";
    std::cout << token << "\n";
    return 0;
}

}  // namespace

int cmd_enroll(CentralClient& client, const Args& a) {
    if (a.positional.size() == 2 && a.positional[1] == "list") return enroll_list(client, a);
    if (a.positional.size() != 2 || a.positional[1] != "create")
        throw UsageError("usage: enroll create [--uses N] [--expires 24h] [--role agent] | enroll list");
    int64_t uses = static_cast<int64_t>(number_flag(a, "uses", 1));
    int64_t expires_s = duration_flag(a, "expires", 86400);
    std::string body = "{\"uses\":" + std::to_string(uses) + ",\"expires_s\":" + std::to_string(expires_s) +
                       ",\"role\":" + json::quote(a.opt("role").value_or("agent")) + "}";
    auto doc = expect_json(client.request("POST", "/api/v1/enrollments", body));
    if (a.flag("json")) return print_json(doc), 0;
    std::cerr << "enrollment token " << str_at(doc, {"id"}) << ": " << i64_at(doc, "uses") << " use(s), expires "
              << format_time(i64_at(doc, "expires_ns")) << "; shown once:\n";
    std::cout << str_at(doc, {"token"}) << "\n";
    return 0;
}

int cmd_revoke(CentralClient& client, const Args& a) {
    if (a.positional.size() != 3) throw UsageError("usage: agents revoke AGENT_ID");
    auto doc = expect_json(client.request("POST", "/api/v1/agents/" + url_encode(a.positional[2]) + "/revoke", "{}"));
    if (a.flag("json")) return print_json(doc), 0;
    std::cout << "agent " << str_at(doc, {"agent_id"}) << ": "
              << i64_at(doc, "revoked_certificates") << " certificate(s) revoked, " << i64_at(doc, "cancelled_tasks")
              << " pending task(s) cancelled\n";
    return 0;
}

int cmd_audit(CentralClient& client, const Args& a) {
    std::string q = "?limit=" + url_encode(a.opt("limit").value_or("1000"));
    if (auto since = a.opt("since")) q += "&since=" + url_encode(*since);
    if (auto op = a.opt("operator")) q += "&operator=" + url_encode(*op);
    auto doc = expect_json(client.request("GET", "/api/v1/audit" + q));
    if (a.flag("json")) return print_json(doc), 0;
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : array_at(doc, "audit").GetArray()) {
        rows.push_back({format_time(i64_at(e, "time_ns")), str_at(e, {"actor"}), str_at(e, {"role"}),
                        str_at(e, {"source"}), str_at(e, {"action"}), str_at(e, {"target"}),
                        truncate(str_at(e, {"outcome"}), 60), truncate(str_at(e, {"detail"}), 100)});
    }
    print_table({"TIME", "WHO", "ROLE", "FROM", "ACTION", "TARGET", "OUTCOME", "DETAIL"}, rows);
    return 0;
}

int cmd_operator(const Args& a) {
    auto config_path = a.opt("config");
    if (!config_path) throw UsageError("operator commands run on the central host: pass --config FILE");
    if (a.positional.size() < 2) throw UsageError("usage: operator add NAME --role R | operator list | operator remove NAME");
    CentralConfig config = load_config(*config_path);
    ::umask(077);  // the database may be created here
    auto opened = open_storage(config);
    Storage& storage = *opened;
    const std::string& verb = a.positional[1];
    if (verb == "add") return operator_add(storage, a);
    if (verb == "remove") {
        if (a.positional.size() != 3) throw UsageError("usage: operator remove NAME");
        bool removed = storage.remove_operator(a.positional[2]);
        local_audit(storage, "operator.remove", a.positional[2], "", removed ? "ok" : "failed: no such operator");
        if (!removed) throw std::runtime_error("no operator " + a.positional[2] + " in the " + config.storage.engine + " storage");
        std::cout << "operator " << a.positional[2] << " removed\n";
        return 0;
    }
    if (verb == "list") {
        std::vector<std::vector<std::string>> rows;
        for (const auto& op : storage.list_operators())
            rows.push_back({op.name, op.role, format_time(op.created_ns), op.token_sha256.substr(0, 12)});
        for (const auto& op : config.api.operators)
            rows.push_back({op.name, to_string(op.role), "central.yaml", op.token_sha256.substr(0, 12)});
        print_table({"NAME", "ROLE", "CREATED", "TOKEN_SHA256"}, rows);
        return 0;
    }
    throw UsageError("unknown operator command " + verb);
}

}  // namespace vigil::central
