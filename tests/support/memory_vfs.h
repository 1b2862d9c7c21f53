// MemoryVfs: a small, POSIX-minded in-memory vfs::Vfs for testing the FUSE adapter through
// real mounts (and for unit tests that need a file system without a cache or a store).
//
// What it keeps: a table of inodes (type and permission bits, owner, times, file bytes in a
// std::string, symlink targets, user.* xattrs) and, per directory, its names. Behaviour the
// tests rely on: lookup counting and reclaim (an inode goes when it has no name, no lookup
// reference and no open handle, so an unlinked open file stays readable until release);
// rename with RENAME_NOREPLACE and RENAME_EXCHANGE; O_TRUNC, O_APPEND and O_EXCL; readdir
// with "." and ".." and cookies that stay valid while entries come and go (each name gets a
// never-reused sequence number); statfs. Hard links are kUnsupported. Permission checks
// are left to the kernel (mount with default_permissions).
//
// Thread-safety: every method may be called concurrently; one mutex guards everything, and
// readdir hands entries to its callback after releasing it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/vfs/vfs.h"

namespace autosync::testing {

class MemoryVfs final : public vfs::Vfs {
 public:
  static constexpr uint64_t kMaxFileSize = uint64_t{1} << 30;  // EFBIG beyond
  static constexpr uint64_t kCapacityBytes = uint64_t{8} << 30;
  static constexpr uint64_t kMaxInodes = 1'000'000;
  static constexpr size_t kMaxXattrValue = 64 * 1024;

  MemoryVfs();

  Result<vfs::Entry> lookup(const vfs::Caller& who, vfs::Ino parent,
                            std::string_view name) override;
  bool forget(vfs::Ino ino, uint64_t count) override;
  Result<vfs::Attr> getattr(vfs::Ino ino) override;
  Result<vfs::Attr> setattr(const vfs::Caller& who, vfs::Ino ino, const vfs::SetAttr& changes,
                            std::optional<vfs::Handle> handle) override;
  Result<std::string> readlink(vfs::Ino ino) override;

  Result<vfs::Entry> mknod(const vfs::Caller& who, vfs::Ino parent, std::string_view name,
                           mode_t mode, dev_t rdev) override;
  Result<vfs::Entry> mkdir(const vfs::Caller& who, vfs::Ino parent, std::string_view name,
                           mode_t mode) override;
  Result<vfs::Entry> symlink(const vfs::Caller& who, std::string_view target, vfs::Ino parent,
                             std::string_view name) override;
  Result<vfs::Entry> link(const vfs::Caller& who, vfs::Ino ino, vfs::Ino new_parent,
                          std::string_view new_name) override;
  Status unlink(const vfs::Caller& who, vfs::Ino parent, std::string_view name) override;
  Status rmdir(const vfs::Caller& who, vfs::Ino parent, std::string_view name) override;
  Status rename(const vfs::Caller& who, vfs::Ino parent, std::string_view name, vfs::Ino new_parent,
                std::string_view new_name, vfs::RenameFlags flags) override;

  Result<std::pair<vfs::Entry, vfs::OpenReply>> create(const vfs::Caller& who, vfs::Ino parent,
                                                       std::string_view name, mode_t mode,
                                                       int flags) override;
  Result<vfs::OpenReply> open(const vfs::Caller& who, vfs::Ino ino, int flags) override;
  Result<size_t> read(vfs::Ino ino, vfs::Handle handle, uint64_t offset,
                      std::span<char> out) override;
  Result<size_t> write(vfs::Ino ino, vfs::Handle handle, uint64_t offset,
                       std::span<const char> data) override;
  Status flush(vfs::Ino ino, vfs::Handle handle) override;
  Status fsync(vfs::Ino ino, vfs::Handle handle, bool data_only) override;
  Status release(vfs::Ino ino, vfs::Handle handle) override;

  Result<vfs::Handle> opendir(const vfs::Caller& who, vfs::Ino ino) override;
  Status readdir(vfs::Ino ino, vfs::Handle handle, uint64_t cookie,
                 const std::function<bool(const vfs::DirEntry&)>& emit) override;
  Status releasedir(vfs::Ino ino, vfs::Handle handle) override;

  Result<vfs::FsStats> statfs(vfs::Ino ino) override;

  Status setxattr(vfs::Ino ino, std::string_view name, std::span<const char> value,
                  int flags) override;
  Result<std::string> getxattr(vfs::Ino ino, std::string_view name) override;
  Result<std::vector<std::string>> listxattr(vfs::Ino ino) override;
  Status removexattr(vfs::Ino ino, std::string_view name) override;

  // For tests of the bookkeeping: inodes still held, open handles, an inode's references.
  size_t inode_count() const;
  bool contains(vfs::Ino ino) const;
  size_t open_handle_count() const;
  uint64_t lookup_count(vfs::Ino ino) const;

 private:
  // readdir cookies: "." is 1, ".." is 2, names count up from 3.
  static constexpr uint64_t kFirstNameCookie = 3;

  struct Child {
    vfs::Ino ino = 0;
    uint64_t cookie = 0;
  };
  struct Node {
    vfs::Attr attr;
    std::string data;  // file bytes, or a symlink's target
    vfs::Ino parent = 0;
    std::map<std::string, Child, std::less<>> children;  // directories: name -> child
    std::map<uint64_t, std::string> names_by_cookie;     // directories: readdir order
    uint64_t next_cookie = kFirstNameCookie;
    std::map<std::string, std::string, std::less<>> xattrs;
    uint64_t lookups = 0;
    uint32_t opens = 0;
  };
  struct OpenFile {
    vfs::Ino ino = 0;
    int flags = 0;
  };

  // Helpers below expect mu_ held.
  Node* find(vfs::Ino ino);
  Result<Node*> node(vfs::Ino ino, std::string_view what);
  Result<Node*> directory(vfs::Ino ino, std::string_view what);
  Result<OpenFile*> open_file(vfs::Ino ino, vfs::Handle handle, std::string_view what);
  const Child* child(const Node& dir, std::string_view name) const;
  Node& new_node(const vfs::Caller& who, const Node& parent, mode_t mode);
  void add_name(Node& dir, std::string_view name, Node& child);
  void remove_name(Node& dir, std::string_view name);
  vfs::Entry entry_for(Node& n);  // adds a lookup reference
  vfs::Handle new_handle(Node& n, int flags);
  Status close_handle(vfs::Ino ino, vfs::Handle handle, std::string_view what);
  void reclaim_if_unused(vfs::Ino ino);
  bool is_ancestor(vfs::Ino ancestor, vfs::Ino ino);
  Status check_rename_target(const Node& source, const Node* target);
  void exchange(Node& dir, std::string_view name, Node& new_dir, std::string_view new_name);
  void truncate(Node& n, uint64_t size);
  Result<std::pair<vfs::Entry, vfs::OpenReply>> open_existing(Node& n, int flags);
  Result<Node*> make_node(const vfs::Caller& who, vfs::Ino parent, std::string_view name,
                          mode_t mode);

  mutable std::mutex mu_;
  std::unordered_map<vfs::Ino, Node> nodes_;           // GUARDED_BY(mu_)
  std::unordered_map<vfs::Handle, OpenFile> handles_;  // GUARDED_BY(mu_)
  vfs::Ino next_ino_ = vfs::kRootIno + 1;              // GUARDED_BY(mu_); never reused
  vfs::Handle next_handle_ = 1;                        // GUARDED_BY(mu_)
};

}  // namespace autosync::testing
