// OpenCountingVfs: a Vfs decorator that counts the files open in the Vfs below it.
//
// close(2) on a FUSE file returns before the kernel's RELEASE reaches the Vfs (the kernel
// sends it asynchronously), and CacheVfs journals a file's upload at that release. So a
// test that closes a file and then drains the workers must first wait for the release:
// wait_open_files(0) blocks until every handle handed out has been released.
//
// Threading: every method may be called from many threads; the count is guarded by mu_.
// Ownership: borrows the inner Vfs, which must outlive this one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "core/vfs/vfs.h"

namespace autosync::testing {

class OpenCountingVfs final : public vfs::Vfs {
 public:
  explicit OpenCountingVfs(vfs::Vfs& inner) : inner_(inner) {}

  // Waits until exactly `count` files are open; false if that did not happen in `timeout`.
  bool wait_open_files(size_t count, std::chrono::milliseconds timeout);

  using Ino = vfs::Ino;
  using Caller = vfs::Caller;
  using Handle = vfs::Handle;

  Result<vfs::Entry> lookup(const Caller& who, Ino parent, std::string_view name) override {
    return inner_.lookup(who, parent, name);
  }
  bool forget(Ino ino, uint64_t count) override { return inner_.forget(ino, count); }
  Result<vfs::Attr> getattr(Ino ino) override { return inner_.getattr(ino); }
  Result<vfs::Attr> setattr(const Caller& who, Ino ino, const vfs::SetAttr& changes,
                            std::optional<Handle> handle) override {
    return inner_.setattr(who, ino, changes, handle);
  }
  Result<std::string> readlink(Ino ino) override { return inner_.readlink(ino); }
  Result<vfs::Entry> mknod(const Caller& who, Ino parent, std::string_view name, mode_t mode,
                           dev_t rdev) override {
    return inner_.mknod(who, parent, name, mode, rdev);
  }
  Result<vfs::Entry> mkdir(const Caller& who, Ino parent, std::string_view name,
                           mode_t mode) override {
    return inner_.mkdir(who, parent, name, mode);
  }
  Result<vfs::Entry> symlink(const Caller& who, std::string_view target, Ino parent,
                             std::string_view name) override {
    return inner_.symlink(who, target, parent, name);
  }
  Result<vfs::Entry> link(const Caller& who, Ino ino, Ino new_parent,
                          std::string_view new_name) override {
    return inner_.link(who, ino, new_parent, new_name);
  }
  Status unlink(const Caller& who, Ino parent, std::string_view name) override {
    return inner_.unlink(who, parent, name);
  }
  Status rmdir(const Caller& who, Ino parent, std::string_view name) override {
    return inner_.rmdir(who, parent, name);
  }
  Status rename(const Caller& who, Ino parent, std::string_view name, Ino new_parent,
                std::string_view new_name, vfs::RenameFlags flags) override {
    return inner_.rename(who, parent, name, new_parent, new_name, flags);
  }

  Result<std::pair<vfs::Entry, vfs::OpenReply>> create(const Caller& who, Ino parent,
                                                       std::string_view name, mode_t mode,
                                                       int flags) override;
  Result<vfs::OpenReply> open(const Caller& who, Ino ino, int flags) override;
  Result<size_t> read(Ino ino, Handle handle, uint64_t offset, std::span<char> out) override {
    return inner_.read(ino, handle, offset, out);
  }
  Result<size_t> write(Ino ino, Handle handle, uint64_t offset,
                       std::span<const char> data) override {
    return inner_.write(ino, handle, offset, data);
  }
  Status flush(Ino ino, Handle handle) override { return inner_.flush(ino, handle); }
  Status fsync(Ino ino, Handle handle, bool data_only) override {
    return inner_.fsync(ino, handle, data_only);
  }
  Status release(Ino ino, Handle handle) override;

  Result<Handle> opendir(const Caller& who, Ino ino) override { return inner_.opendir(who, ino); }
  Status readdir(Ino ino, Handle handle, uint64_t cookie,
                 const std::function<bool(const vfs::DirEntry&)>& emit) override {
    return inner_.readdir(ino, handle, cookie, emit);
  }
  Status releasedir(Ino ino, Handle handle) override { return inner_.releasedir(ino, handle); }
  Result<vfs::FsStats> statfs(Ino ino) override { return inner_.statfs(ino); }
  Status setxattr(Ino ino, std::string_view name, std::span<const char> value, int flags) override {
    return inner_.setxattr(ino, name, value, flags);
  }
  Result<std::string> getxattr(Ino ino, std::string_view name) override {
    return inner_.getxattr(ino, name);
  }
  Result<std::vector<std::string>> listxattr(Ino ino) override { return inner_.listxattr(ino); }
  Status removexattr(Ino ino, std::string_view name) override {
    return inner_.removexattr(ino, name);
  }

 private:
  void opened();
  void released();

  vfs::Vfs& inner_;
  std::mutex mu_;
  std::condition_variable changed_;
  size_t open_files_ = 0;  // guarded by mu_
};

}  // namespace autosync::testing
