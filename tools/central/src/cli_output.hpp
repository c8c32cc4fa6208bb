#pragma once
// Output of the vigil-central CLI: tables, task views, time formats, and accessors that
// tolerate replies without the expected members. Everything printed from agent data goes
// through vigil::common::terminal_safe.
#include <rapidjson/document.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "cli_client.hpp"

namespace vigil::central {

// Parses a reply body; throws with the server's reason on HTTP errors.
rapidjson::Document expect_json(const HttpReply& reply, int expected_class = 2);
void print_json(const rapidjson::Value& v);
std::string format_time(int64_t ns);
std::string format_age(int64_t ns);
void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);
void print_task(const rapidjson::Value& t);

const rapidjson::Value& array_at(const rapidjson::Value& v, const char* key);
int64_t i64_at(const rapidjson::Value& v, const char* key);
std::string json_at(const rapidjson::Value& v, const char* key);
std::string str_at(const rapidjson::Value& v, std::initializer_list<const char*> path);
std::string join_array(const rapidjson::Value* v);
std::string truncate(std::string s, size_t max);
// One-line summary of an OCSF event for the table view.
std::string summarize(const std::string& type, const rapidjson::Value& ev);

}  // namespace vigil::central
