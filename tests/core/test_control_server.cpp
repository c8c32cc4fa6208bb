// The control socket refuses peers that are not root, even when the socket
// file's mode would let them connect (defence in depth behind mode 0600).
#include <doctest/doctest.h>
#include <vigil/common/small_file.hpp>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "control_server.hpp"

using namespace vigil::core;

namespace {
std::string request(const std::string& path, const std::string& req) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return "connect failed: " + std::string(std::strerror(errno));
    }
    std::string line = req + "\n";
    (void)!::send(fd, line.data(), line.size(), MSG_NOSIGNAL);  // the server may already have hung up
    std::string out;
    char c;
    while (::read(fd, &c, 1) == 1 && c != '\n') out.push_back(c);
    ::close(fd);
    return out;
}
}  // namespace

TEST_CASE("control socket: root is served, a non-root peer is refused by credentials") {
    if (::geteuid() != 0) {
        MESSAGE("skipped: needs root");
        return;
    }
    char tmpl[] = "/tmp/vigil-ctl.XXXXXX";
    std::string dir = mkdtemp(tmpl);
    ::chmod(dir.c_str(), 0755);
    std::string path = dir + "/ctl.sock";
    Bus bus;
    ControlServer::Handlers h;
    h.status_json = [] { return std::string("{\"alive\":true}"); };
    h.plugins_json = [] { return std::string("[]"); };
    h.config_check = [](const std::string&) { return std::string("{}"); };
    ControlServer server(bus, h);
    std::string err;
    REQUIRE_MESSAGE(server.start(path, err, 0666), err);  // widened only to reach the credential check
    CHECK(request(path, R"({"cmd":"status"})") == R"({"ok":true,"result":{"alive":true}})");
    CHECK(request(path, R"({"cmd":"nope"})").find("unknown request 'nope'") != std::string::npos);
    CHECK(request(path, "not json").find("request is not a JSON object") != std::string::npos);

    int pipefd[2];
    REQUIRE(::pipe(pipefd) == 0);
    pid_t child = ::fork();
    if (child == 0) {
        ::close(pipefd[0]);
        if (::setgid(65534) != 0 || ::setuid(65534) != 0) _exit(3);
        std::string r = request(path, R"({"cmd":"status"})");
        (void)!::write(pipefd[1], r.data(), r.size());
        _exit(0);
    }
    ::close(pipefd[1]);
    const std::string got = vigil::common::read_until_eof(pipefd[0]);
    ::close(pipefd[0]);
    ::waitpid(child, nullptr, 0);
    CHECK(got.find("permission denied: the control socket is for root only (peer uid 65534)") != std::string::npos);
    server.stop();
    std::filesystem::remove_all(dir);
}

TEST_CASE("control socket: its directory must be root's, and nothing at its path is followed") {
    if (::geteuid() != 0) {
        MESSAGE("skipped: needs root");
        return;
    }
    char tmpl[] = "/tmp/vigil-ctl.XXXXXX";
    const std::string dir = mkdtemp(tmpl);
    ::chmod(dir.c_str(), 0755);
    Bus bus;
    ControlServer::Handlers h;
    h.status_json = [] { return std::string("{}"); };
    h.plugins_json = [] { return std::string("[]"); };
    h.config_check = [](const std::string&) { return std::string("{}"); };
    std::string err;
    {
        // A missing directory is created root-only; the socket gets its mode
        // without the process umask ever being changed.
        const mode_t before = ::umask(022);
        ControlServer server(bus, h);
        REQUIRE_MESSAGE(server.start(dir + "/run/ctl.sock", err), err);
        struct stat st {};
        REQUIRE(::stat((dir + "/run").c_str(), &st) == 0);
        CHECK((st.st_mode & 07777) == 0755);
        REQUIRE(::lstat((dir + "/run/ctl.sock").c_str(), &st) == 0);
        CHECK((st.st_mode & 07777) == 0600);
        CHECK(::umask(022) == 022);
        ::umask(before);
        server.stop();
    }
    {
        // A directory others can write: someone could swap the socket for a link.
        std::filesystem::create_directory(dir + "/open");
        ::chmod((dir + "/open").c_str(), 0777);
        ControlServer server(bus, h);
        CHECK_FALSE(server.start(dir + "/open/ctl.sock", err));
        CHECK(err.find(dir + "/open: writable by group or others (mode 0777)") != std::string::npos);
    }
    {
        // A link planted at the socket path is neither removed through nor chmod'ed through.
        std::filesystem::create_directory(dir + "/run2");
        ::chmod((dir + "/run2").c_str(), 0755);
        const std::string victim = dir + "/victim";
        { FILE* f = std::fopen(victim.c_str(), "w"); std::fclose(f); }
        ::chmod(victim.c_str(), 0600);
        std::filesystem::create_symlink(victim, dir + "/run2/ctl.sock");
        ControlServer server(bus, h);
        CHECK_FALSE(server.start(dir + "/run2/ctl.sock", err, 0666));
        CHECK(err.find("exists and is not a socket") != std::string::npos);
        struct stat st {};
        REQUIRE(::stat(victim.c_str(), &st) == 0);
        CHECK((st.st_mode & 07777) == 0600);
    }
    std::filesystem::remove_all(dir);
}
