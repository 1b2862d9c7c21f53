// upload_file() and download_file(): transfers between a local file and the store.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "backends/transfer/transfer.h"
#include "core/base/unique_fd.h"
#include "core/base/crypto.h"
#include "core/base/encoding.h"

namespace autosync::backends {
namespace {

namespace fs = std::filesystem;

// Keeps the temp name within NAME_MAX (255) even for a target name of maximal length.
constexpr size_t kMaxStemBytes = 200;

fs::path temp_path_beside(const fs::path& target) {
  const std::string name = target.filename().string().substr(0, kMaxStemBytes);
  return target.parent_path() / fmt::format(".{}.autosync-{}.tmp", name, to_hex(random_bytes(6)));
}

Status fsync_directory(const fs::path& dir) {
  const std::string name = dir.empty() ? std::string(".") : dir.string();
  UniqueFd fd(::open(name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return from_errno(errno, fmt::format("open directory {}", name));
  if (::fsync(fd.get()) != 0) return from_errno(errno, fmt::format("fsync directory {}", name));
  return fd.close(fmt::format("close directory {}", name));
}

// A new file beside the target that deletes itself unless it is renamed into place.
class TempFile {
 public:
  static Result<TempFile> create(const fs::path& target) {
    fs::path path = temp_path_beside(target);
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
    if (!fd.valid()) return from_errno(errno, fmt::format("create {}", path.string()));
    return TempFile(std::move(path), std::move(fd));
  }
  TempFile(TempFile&& other) noexcept
      : path_(std::move(other.path_)),
        fd_(std::move(other.fd_)),
        owns_file_(std::exchange(other.owns_file_, false)) {}
  TempFile& operator=(TempFile&&) = delete;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (owns_file_) ::unlink(path_.c_str());
  }

  int fd() const { return fd_.get(); }

  // Cuts the file to `size` (a retried get may have written past a shorter answer), makes
  // it durable and renames it over `target`.
  Status commit(uint64_t size, const fs::path& target) {
    const std::string name = path_.string();
    if (::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0) {
      return from_errno(errno, fmt::format("truncate {}", name));
    }
    if (::fsync(fd_.get()) != 0) return from_errno(errno, fmt::format("fsync {}", name));
    AUTOSYNC_RETURN_IF_ERROR(fd_.close(fmt::format("close {}", name)));
    if (::rename(path_.c_str(), target.c_str()) != 0) {
      return from_errno(errno, fmt::format("rename {} to {}", name, target.string()));
    }
    owns_file_ = false;
    return fsync_directory(target.parent_path());
  }

 private:
  TempFile(fs::path path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}

  fs::path path_;
  UniqueFd fd_;
  bool owns_file_ = true;
};

}  // namespace

Result<ObjectInfo> upload_file(ObjectStore& store, std::string_view key, const fs::path& path,
                               const PutOptions& options, const TransferOptions& transfer) {
  const std::string what = fmt::format("upload {} from {}", key, path.string());
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return from_errno(errno, what);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return from_errno(errno, what);
  if (!S_ISREG(st.st_mode)) return invalid(fmt::format("{}: not a regular file", what));
  const FileSource source(fd.get(), 0, static_cast<uint64_t>(st.st_size));
  return upload(store, key, source, options, transfer);
}

Result<ObjectInfo> download_file(ObjectStore& store, std::string_view key, const fs::path& path,
                                 const TransferOptions& transfer) {
  const std::string what = fmt::format("download {} to {}", key, path.string());
  auto temp = TempFile::create(path);
  if (!temp.is_ok()) return std::move(temp).take_status().context(what);
  FileSink sink(temp->fd());
  AUTOSYNC_ASSIGN_OR_RETURN(ObjectInfo info, download(store, key, sink, transfer));
  Status committed = temp->commit(info.size, path);
  if (!committed.is_ok()) return std::move(committed).context(what);
  return info;
}

}  // namespace autosync::backends
