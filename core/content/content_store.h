// ContentStore: the bytes of cached files, one sparse file per file id (inode number) under
// CACHE/content/XX/ID. Holes read as zeros; which ranges hold real data is the index's
// business (RangeSet), not this store's. A full disk is ErrorKind::kNoSpace.
//
// Threading: all methods are safe to call concurrently; writes to one file at different
// offsets may run in parallel (pwrite). Open descriptors are cached (bounded) so the hot
// read/write path costs no open(2).
#pragma once

#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>

#include "core/base/result.h"
#include "core/base/unique_fd.h"

namespace autosync::content {

using FileId = uint64_t;

class ContentStore {
 public:
  // Creates `dir` if needed.
  static Result<std::unique_ptr<ContentStore>> open(const std::filesystem::path& dir,
                                                    size_t max_open_files = 256);

  // Reads up to out.size() bytes at `offset`; fewer at the end of the local file. A file
  // that was never written reads as empty.
  Result<size_t> read(FileId id, uint64_t offset, std::span<char> out);
  Status write(FileId id, uint64_t offset, std::span<const char> data);
  Status truncate(FileId id, uint64_t size);
  // Frees the disk space of [offset, offset + length) (eviction); the range reads as zeros.
  Status punch_hole(FileId id, uint64_t offset, uint64_t length);
  Status sync(FileId id);  // fsync: written data is durable
  Status remove(FileId id);
  // Bytes the file occupies on disk (its allocated blocks), 0 if it does not exist.
  Result<uint64_t> allocated_bytes(FileId id);
  // A descriptor of its own for a long reader (an upload) that must not be closed by the cache.
  Result<UniqueFd> open_reader(FileId id);

  std::filesystem::path path_of(FileId id) const;
  const std::filesystem::path& dir() const { return dir_; }

  // Use open(), which also creates the directory.
  ContentStore(std::filesystem::path dir, size_t max_open);

 private:
  // The cached descriptor for `id`, opened read-write (created when `create`).
  Result<std::shared_ptr<UniqueFd>> fd_for(FileId id, bool create);
  void forget_fd(FileId id);

  std::filesystem::path dir_;
  size_t max_open_;
  std::mutex mu_;  // guards the descriptor cache below
  std::unordered_map<FileId, std::pair<std::shared_ptr<UniqueFd>, std::list<FileId>::iterator>>
      fds_;
  std::list<FileId> lru_;  // most recently used first
};

}  // namespace autosync::content
