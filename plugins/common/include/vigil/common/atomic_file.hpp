#pragma once
// Durable atomic replacement of a file: a reader (or the next start after a
// crash) sees the old content or the new content, never a mix.
//
//   write_file_atomic(dir + "/state.json", text, {.mode = 0600});
//
// The data goes to a fresh temporary in the same directory (O_EXCL, so an
// attacker's symlink is never followed), written in full (short writes and
// EINTR retried), then renamed over the target. With Durability::full the
// file is fsync'ed before the rename and the directory after it, so the new
// content also survives a power loss. Durability::process_crash skips both
// fsyncs: right for caches that may be lost, and it says so at the call site.
// On any failure the temporary is removed and std::system_error is thrown
// naming the path.

#include <sys/types.h>

#include <string>
#include <string_view>

namespace vigil::common {

enum class Durability {
    full,           // survives power loss: fsync file, rename, fsync directory
    process_crash,  // survives a crash of this process only: rename, no fsync
};

struct AtomicWriteOptions {
    mode_t mode = 0600;
    Durability durability = Durability::full;
};

void write_file_atomic(const std::string& path, std::string_view data, const AtomicWriteOptions& options = {});

// fsync of a directory (after a rename or unlink in it) and of an existing file.
void fsync_directory(const std::string& dir);
void fsync_file(const std::string& path);

// "/a/b/c" -> "/a/b", "c" -> ".", "/c" -> "/".
std::string parent_directory(const std::string& path);

}  // namespace vigil::common
