#pragma once
// What both storage engines share: a task read from its columns (in kTaskColumns order), the
// rules for whether a task may take an agent's result or file, and how search text is split
// and matched. `Row` has text(col), i64(col), opt_text(col) and is_null(col) (sqlite::Stmt,
// pg::Row).
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "storage.hpp"

namespace vigil::central {

// id, agent_id, type, args, timeout_s, state, created_ns, delivered_ns, delivery_count,
// completed_ns, result, error, file_path, file_size, file_sha256, signature, created_by
inline constexpr const char* kTaskColumns =
    "id, agent_id, type, args, timeout_s, state, created_ns, delivered_ns, delivery_count, completed_ns, "
    "result, error, file_path, file_size, file_sha256, signature, created_by";

// A result or a file may only come for a task its agent received: delivered, or expired
// after a delivery (SQL form and C++ form).
inline constexpr const char* kAnswerable = "(state='delivered' OR (state='expired' AND delivery_count>0))";

template <class Row>
TaskRecord task_from_row(const Row& s) {
    TaskRecord t;
    t.id = s.text(0);
    t.agent_id = s.text(1);
    t.type = s.text(2);
    t.args_json = s.text(3);
    t.timeout_s = s.i64(4);
    t.state = task_state_from_string(s.text(5)).value_or(TaskState::error);
    t.created_ns = s.i64(6);
    t.delivered_ns = s.i64(7);
    t.delivery_count = s.i64(8);
    t.completed_ns = s.i64(9);
    t.result_json = s.opt_text(10);
    t.error = s.opt_text(11);
    if (!s.is_null(12)) t.file = TaskFile{s.text(12), static_cast<uint64_t>(s.i64(13)), s.text(14)};
    t.signature_json = s.opt_text(15);
    t.created_by = s.text(16);
    return t;
}

inline bool answerable(const TaskRecord& t, const std::string& agent_id) {
    return t.agent_id == agent_id &&
           (t.state == TaskState::delivered || (t.state == TaskState::expired && t.delivery_count > 0));
}

// Why a task cannot take a result or file from `agent_id`.
inline ResultOutcome unanswerable(const TaskRecord& t, const std::string& agent_id) {
    if (t.agent_id != agent_id) return ResultOutcome::not_found;  // another agent's task does not exist for it
    if (t.state == TaskState::pending || (t.state == TaskState::expired && t.delivery_count == 0))
        return ResultOutcome::not_delivered;
    return ResultOutcome::already_final;
}

// The words of a search text: runs of ASCII letters/digits and non-ASCII bytes.
inline std::vector<std::string> search_words(std::string_view text) {
    std::vector<std::string> words;
    std::string cur;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c >= 0x80) {
            cur += static_cast<char>(c);
        } else if (!cur.empty()) {
            words.push_back(std::move(cur));
            cur.clear();
        }
    }
    if (!cur.empty()) words.push_back(std::move(cur));
    return words;
}

// A LIKE pattern (backslash escapes, which PostgreSQL uses by default and SQLite with
// ESCAPE '\\') matching `text` anywhere.
inline std::string like_contains(std::string_view text) {
    std::string p = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') p += '\\';
        p += c;
    }
    p += '%';
    return p;
}

inline std::string ascii_lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

}  // namespace vigil::central
