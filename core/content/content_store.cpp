#include "core/content/content_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace autosync::content {
namespace {

Status errno_for(std::string_view what, FileId id) {
  return from_errno(errno, fmt::format("{} cached content of inode {}", what, id));
}

}  // namespace

ContentStore::ContentStore(std::filesystem::path dir, size_t max_open)
    : dir_(std::move(dir)), max_open_(max_open) {}

Result<std::unique_ptr<ContentStore>> ContentStore::open(const std::filesystem::path& dir,
                                                         size_t max_open_files) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return from_errno(ec.value(), fmt::format("create content directory {}", dir.string()));
  return std::make_unique<ContentStore>(dir, std::max<size_t>(max_open_files, 1));
}

std::filesystem::path ContentStore::path_of(FileId id) const {
  // 256 subdirectories keep each directory small even with millions of cached files.
  return dir_ / fmt::format("{:02x}", id & 0xff) / std::to_string(id);
}

Result<std::shared_ptr<UniqueFd>> ContentStore::fd_for(FileId id, bool create) {
  std::lock_guard lock(mu_);
  if (auto it = fds_.find(id); it != fds_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.second);
    return it->second.first;
  }
  const auto path = path_of(id);
  int flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0);
  int fd = ::open(path.c_str(), flags, 0600);
  if (fd < 0 && errno == ENOENT && create) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    fd = ::open(path.c_str(), flags, 0600);
  }
  if (fd < 0) return errno_for("open", id);
  auto handle = std::make_shared<UniqueFd>(fd);
  lru_.push_front(id);
  fds_.emplace(id, std::make_pair(handle, lru_.begin()));
  while (fds_.size() > max_open_) {
    fds_.erase(lru_.back());  // in-flight users keep their shared_ptr; the close waits for them
    lru_.pop_back();
  }
  return handle;
}

void ContentStore::forget_fd(FileId id) {
  std::lock_guard lock(mu_);
  if (auto it = fds_.find(id); it != fds_.end()) {
    lru_.erase(it->second.second);
    fds_.erase(it);
  }
}

Result<size_t> ContentStore::read(FileId id, uint64_t offset, std::span<char> out) {
  auto fd = fd_for(id, false);
  if (!fd.is_ok()) {
    if (fd.status().is(ErrorKind::kNotFound)) return size_t{0};
    return fd.status();
  }
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread((*fd)->get(), out.data() + done, out.size() - done,
                              static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_for("read", id);
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

Status ContentStore::write(FileId id, uint64_t offset, std::span<const char> data) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto fd, fd_for(id, true));
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd->get(), data.data() + done, data.size() - done,
                               static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_for("write", id);
    done += static_cast<size_t>(n);
  }
  return {};
}

Status ContentStore::truncate(FileId id, uint64_t size) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto fd, fd_for(id, true));
  if (::ftruncate(fd->get(), static_cast<off_t>(size)) != 0) return errno_for("truncate", id);
  return {};
}

Status ContentStore::punch_hole(FileId id, uint64_t offset, uint64_t length) {
  auto fd = fd_for(id, false);
  if (!fd.is_ok()) return fd.status().is(ErrorKind::kNotFound) ? Status() : fd.status();
  if (::fallocate((*fd)->get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  static_cast<off_t>(offset), static_cast<off_t>(length)) != 0) {
    return errno_for("free", id);
  }
  return {};
}

Status ContentStore::sync(FileId id) {
  auto fd = fd_for(id, false);
  if (!fd.is_ok()) return fd.status().is(ErrorKind::kNotFound) ? Status() : fd.status();
  if (::fsync((*fd)->get()) != 0) return errno_for("fsync", id);
  return {};
}

Status ContentStore::remove(FileId id) {
  forget_fd(id);
  if (::unlink(path_of(id).c_str()) != 0 && errno != ENOENT) return errno_for("remove", id);
  return {};
}

Result<uint64_t> ContentStore::allocated_bytes(FileId id) {
  struct stat st {};
  if (::stat(path_of(id).c_str(), &st) != 0) {
    if (errno == ENOENT) return uint64_t{0};
    return errno_for("stat", id);
  }
  return static_cast<uint64_t>(st.st_blocks) * 512;
}

Result<UniqueFd> ContentStore::open_reader(FileId id) {
  UniqueFd fd(::open(path_of(id).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_for("open", id);
  return fd;
}

}  // namespace autosync::content
