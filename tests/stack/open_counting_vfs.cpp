#include "tests/stack/open_counting_vfs.h"

namespace autosync::testing {

bool OpenCountingVfs::wait_open_files(size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return open_files_ == count; });
}

void OpenCountingVfs::opened() {
  std::lock_guard lock(mu_);
  ++open_files_;
  changed_.notify_all();
}

void OpenCountingVfs::released() {
  std::lock_guard lock(mu_);
  if (open_files_ > 0) --open_files_;
  changed_.notify_all();
}

Result<std::pair<vfs::Entry, vfs::OpenReply>> OpenCountingVfs::create(const Caller& who, Ino parent,
                                                                      std::string_view name,
                                                                      mode_t mode, int flags) {
  auto created = inner_.create(who, parent, name, mode, flags);
  if (created.is_ok()) opened();
  return created;
}

Result<vfs::OpenReply> OpenCountingVfs::open(const Caller& who, Ino ino, int flags) {
  auto reply = inner_.open(who, ino, flags);
  if (reply.is_ok()) opened();
  return reply;
}

// Counted once the inner release is done: by then the upload is journaled.
Status OpenCountingVfs::release(Ino ino, Handle handle) {
  Status status = inner_.release(ino, handle);
  released();
  return status;
}

}  // namespace autosync::testing
