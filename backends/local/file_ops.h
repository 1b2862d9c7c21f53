// Small POSIX file helpers for the local backend: temp files, durable renames, copies.
// Every function reports failures as a Status naming the path. Thread-safe.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "backends/byte_io.h"
#include "core/base/result.h"
#include "core/base/unique_fd.h"

namespace autosync::backends::local {

namespace fs = std::filesystem;

// What identifies one version of a data file: a rename keeps these, a rewrite changes them.
struct FileIdentity {
  uint64_t inode = 0;
  int64_t mtime_ns = 0;
  uint64_t size = 0;
  bool operator==(const FileIdentity&) const = default;
};

FileIdentity identity_of(const struct stat& st);

struct TempFile {
  UniqueFd fd;
  fs::path path;
};

// Creates a new, empty, uniquely named file in `dir` (made if missing), open for writing.
Result<TempFile> create_temp(const fs::path& dir);

// Copies all of `source` into `fd` from offset 0.
Status write_source(int fd, const ByteSource& source, const fs::path& path_for_errors);
// Copies `length` bytes of `in` (from `in_offset`) to the end of `out`.
Status copy_range(int in, uint64_t in_offset, int out, uint64_t length);

// Copies [offset, offset + length) of `fd` into `sink` from sink offset 0 (less when the
// file is shorter).
Status read_range(int fd, uint64_t offset, uint64_t length, ByteSink& sink);

Status fsync_fd(int fd, const fs::path& path_for_errors);
Status fsync_dir(const fs::path& dir);
Status make_dirs(const fs::path& dir);
// Renames `from` over `to`, creating `to`'s parent directories, and makes it durable.
Status rename_durably(const fs::path& from, const fs::path& to);

Result<std::string> read_file(const fs::path& path);
// Replaces `path` atomically with `content` via a temp file in `temp_dir`.
Status write_file_atomically(const fs::path& path, std::string_view content,
                             const fs::path& temp_dir);

// Removes empty directories from `dir` upwards, stopping below `stop_at`.
void prune_empty_dirs(fs::path dir, const fs::path& stop_at);

}  // namespace autosync::backends::local
