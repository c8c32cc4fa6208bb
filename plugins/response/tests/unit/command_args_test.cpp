#include <doctest/doctest.h>

#include "command_args.hpp"
#include "json_args.hpp"

using namespace vigil::response;

static const ResponseConfig kCfg = parse_config("{}");

// The ArgError text `parse` throws for `json`, "no error" when it accepts it.
template <class Parse>
static std::string arg_error(Parse parse, const std::string& json) {
    try {
        parse(json, kCfg);
    } catch (const ArgError& e) {
        return e.what();
    }
    return "no error";
}

TEST_CASE("response_args: get_file named and positional") {
    CHECK(parse_get_file_args(R"({"path":"/etc/hostname"})").path == "/etc/hostname");
    CHECK(parse_get_file_args(R"({"args":["/etc/hostname"]})").path == "/etc/hostname");
    CHECK_THROWS_WITH_AS(parse_get_file_args("{}"), doctest::Contains("missing field \"path\""), ArgError);
    CHECK_THROWS_WITH_AS(parse_get_file_args(R"({"path":"etc/hostname"})"),
                         doctest::Contains("absolute path"), ArgError);
    CHECK_THROWS_WITH_AS(parse_get_file_args(R"({"path":42})"), doctest::Contains("must be a string"),
                         ArgError);
    CHECK_THROWS_WITH_AS(parse_get_file_args(R"({"path":"/a","size":1})"),
                         doctest::Contains("unknown field \"size\""), ArgError);
    CHECK_THROWS_WITH_AS(parse_get_file_args(R"({"args":["/a","/b"]})"),
                         doctest::Contains("unexpected extra argument"), ArgError);
    CHECK_THROWS_WITH_AS(parse_get_file_args(R"({"path":"/a","args":["/b"]})"),
                         doctest::Contains("given twice"), ArgError);
}

TEST_CASE("response_args: delete_file") {
    auto a = parse_delete_file_args(R"({"path":"/tmp/x","sha256":")" + std::string(64, 'F') +
                                    R"(","reason":"r"})");
    CHECK(a.path == "/tmp/x");
    CHECK(a.sha256 == std::string(64, 'f'));
    CHECK(a.reason == "r");
    auto p = parse_delete_file_args(R"({"args":["/tmp/x"]})");
    CHECK_FALSE(p.sha256.has_value());
    CHECK(parse_delete_file_args(R"({"args":["/tmp/x",")" + std::string(64, 'a') + R"("]})")
              .sha256.has_value());
    CHECK_THROWS_WITH_AS(parse_delete_file_args(R"({"path":"/tmp/x","sha256":"12"})"),
                         doctest::Contains("64 hex"), ArgError);
    CHECK_THROWS_WITH_AS(parse_delete_file_args(R"({"path":"x"})"), doctest::Contains("absolute"), ArgError);
}

TEST_CASE("response_args: run_process explicit form") {
    RunSpec s = parse_run_process_args(
        R"({"executable":"/bin/echo","args":["a","b"],"cwd":"/tmp","env":{"X":"1"},"timeout_s":3,"user":"nobody"})",
        kCfg);
    CHECK(s.executable == "/bin/echo");
    CHECK(s.args == std::vector<std::string>{"a", "b"});
    CHECK(s.cwd == "/tmp");
    REQUIRE(s.env.size() == 1);
    CHECK(s.env[0] == std::pair<std::string, std::string>{"X", "1"});
    CHECK(s.timeout_s == 3);
    CHECK(s.user == "nobody");
    CHECK(s.max_output_bytes == kCfg.max_output_bytes);
    CHECK(parse_run_process_args(R"({"executable":"echo"})", kCfg).timeout_s == 600);
    CHECK(parse_run_process_args(R"({"executable":"echo","user":0})", kCfg).user == "0");
}

TEST_CASE("response_args: run_process generic vigilctl form") {
    RunSpec s =
        parse_run_process_args(R"({"args":["/bin/sleep",5],"env":["A=1","B=x=y"],"timeout_s":2.5})", kCfg);
    CHECK(s.executable == "/bin/sleep");
    CHECK(s.args == std::vector<std::string>{"5"});
    REQUIRE(s.env.size() == 2);
    CHECK(s.env[1].second == "x=y");
    CHECK(parse_run_process_args(R"({"args":"/bin/true","env":"A=1"})", kCfg).env.size() == 1);
}

TEST_CASE("response_args: run_process bad arguments") {
    auto err = [](const std::string& json) { return arg_error(parse_run_process_args, json); };
    CHECK(err("{}").find("missing field \"executable\"") != std::string::npos);
    CHECK(err(R"({"executable":"bin/echo"})").find("absolute path") != std::string::npos);
    CHECK(err(R"({"executable":"/bin/echo","args":"x","argz":1})").find("unknown field \"argz\"") !=
          std::string::npos);
    CHECK(err(R"({"executable":"/bin/echo","args":[{"a":1}]})").find("must be a string") !=
          std::string::npos);
    CHECK(err(R"({"executable":"/bin/echo","args":{"a":1}})").find("array of strings") != std::string::npos);
    CHECK(err(R"({"executable":"/bin/echo","timeout_s":999999})").find("too large") != std::string::npos);
    CHECK(err(R"({"executable":"/bin/echo","timeout_s":0})").find("greater than 0") != std::string::npos);
    CHECK(err(R"({"executable":"/bin/echo","timeout_s":"10"})").find("number of seconds") !=
          std::string::npos);
    CHECK(err(R"({"executable":"/bin/echo","cwd":"tmp"})").find("\"cwd\"") != std::string::npos);
    CHECK(err(R"({"executable":"/bin/echo","env":{"1X":"a"}})").find("not a valid variable name") !=
          std::string::npos);
    CHECK(err(R"({"executable":"/bin/echo","env":["NOEQUALS"]})").find("NAME=value") != std::string::npos);
    CHECK(err(R"({"executable":"/bin/echo","env":5})").find("\"env\" must be") != std::string::npos);
    CHECK(err(R"({"executable":"/bin/echo","user":""})").find("\"user\" is empty") != std::string::npos);
    CHECK(err(R"({"executable":"/bin/echo","user":-1})").find("\"user\"") != std::string::npos);
    std::string huge = R"({"executable":"/bin/echo","args":[)";
    for (int i = 0; i < 400; ++i) huge += std::string(i ? "," : "") + "\"" + std::string(4000, 'x') + "\"";
    huge += "]}";
    CHECK(err(huge).find("too large") != std::string::npos);
    std::string many = R"({"executable":"/bin/echo","args":[)";
    for (int i = 0; i < 5000; ++i) many += std::string(i ? "," : "") + "\"x\"";
    many += "]}";
    CHECK(err(many).find("at most 4096") != std::string::npos);
}

TEST_CASE("response_args: terminate_process selectors and guards") {
    TerminateSpec s = parse_terminate_args(
        R"({"pid":1234,"start_time_ns":99,"exe":"/usr/bin/sleep","tree":true,"grace_s":1})", kCfg);
    CHECK(s.pid == 1234);
    CHECK(s.start_time_ns == 99u);
    CHECK(s.exe == "/usr/bin/sleep");
    CHECK(s.tree);
    CHECK(s.grace_s == 1);
    CHECK(parse_terminate_args(R"({"args":[77]})", kCfg).pid == 77);
    CHECK(parse_terminate_args(R"({"args":["78"]})", kCfg).pid == 78);
    CHECK(parse_terminate_args(R"({"args":["/usr/bin/sleep"]})", kCfg).exe == "/usr/bin/sleep");
    CHECK(parse_terminate_args(R"({"args":[")" + std::string(64, 'a') + R"("]})", kCfg).sha256 ==
          std::string(64, 'a'));
    CHECK(parse_terminate_args(R"({"pid":5})", kCfg).grace_s == kCfg.terminate_grace_s);
    CHECK_FALSE(parse_terminate_args(R"({"pid":5})", kCfg).force);
    CHECK(parse_terminate_args(R"({"pid":5,"force":true})", kCfg).force);

    auto err = [](const std::string& json) { return arg_error(parse_terminate_args, json); };
    CHECK(err("{}").find("missing target") != std::string::npos);
    CHECK(err(R"({"pid":0})").find("not a valid pid") != std::string::npos);
    CHECK(err(R"({"pid":99999999999})").find("not a valid pid") != std::string::npos);
    CHECK(err(R"({"pid":-5})").find("must not be negative") != std::string::npos);
    CHECK(err(R"({"pid":"12"})").find("must be an integer") != std::string::npos);
    CHECK(err(R"({"exe":"/x","start_time_ns":5})").find("needs a \"pid\"") != std::string::npos);
    CHECK(err(R"({"exe":"sleep"})").find("absolute path") != std::string::npos);
    CHECK(err(R"({"args":["sleep"]})").find("neither a pid") != std::string::npos);
    CHECK(err(R"({"args":["0"]})").find("not a valid pid") != std::string::npos);
    CHECK(err(R"({"args":["12345678901"]})").find("neither a pid") != std::string::npos);
    CHECK(err(R"({"pid":5,"grace_s":1000})").find("too large") != std::string::npos);
    CHECK(err(R"({"pid":5,"tree":"yes"})").find("true or false") != std::string::npos);
    CHECK(err(R"({"pid":5,"signal":9})").find("unknown field \"signal\"") != std::string::npos);
}
