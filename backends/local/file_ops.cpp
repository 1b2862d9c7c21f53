#include "backends/local/file_ops.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "core/base/crypto.h"
#include "core/base/encoding.h"

namespace autosync::backends::local {
namespace {

constexpr size_t kCopyChunk = 1 << 20;

Status errno_status(std::string_view what, const fs::path& path) {
  return from_errno(errno, fmt::format("{} {}", what, path.string()));
}

}  // namespace

FileIdentity identity_of(const struct stat& st) {
  return {static_cast<uint64_t>(st.st_ino),
          static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
          static_cast<uint64_t>(st.st_size)};
}

Result<TempFile> create_temp(const fs::path& dir) {
  AUTOSYNC_RETURN_IF_ERROR(make_dirs(dir));
  fs::path path = dir / ("tmp-" + to_hex(random_bytes(12)));
  const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0) return errno_status("create", path);
  return TempFile{UniqueFd(fd), std::move(path)};
}

Status write_source(int fd, const ByteSource& source, const fs::path& path_for_errors) {
  std::vector<char> buf(std::min<uint64_t>(kCopyChunk, std::max<uint64_t>(source.size(), 1)));
  uint64_t offset = 0;
  while (offset < source.size()) {
    auto n = source.read_at(offset, buf);
    if (!n.is_ok()) return n.status();
    if (*n == 0)
      return io_error(fmt::format("source ended early writing {}", path_for_errors.string()));
    FileSink sink(fd);
    AUTOSYNC_RETURN_IF_ERROR(sink.write_at(offset, {buf.data(), *n}));
    offset += *n;
  }
  return {};
}

Status copy_range(int in, uint64_t in_offset, int out, uint64_t length) {
  auto off = static_cast<loff_t>(in_offset);
  while (length > 0) {
    const ssize_t n =
        ::copy_file_range(in, &off, out, nullptr, std::min<uint64_t>(length, 1ULL << 30), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return from_errno(errno, "copy data");
    }
    if (n == 0) return io_error("copy data: source ended early");
    length -= static_cast<uint64_t>(n);
  }
  return {};
}

Status fsync_fd(int fd, const fs::path& path_for_errors) {
  if (::fsync(fd) != 0) return errno_status("fsync", path_for_errors);
  return {};
}

Status fsync_dir(const fs::path& dir) {
  const UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return errno_status("open directory", dir);
  return fsync_fd(fd.get(), dir);
}

Status make_dirs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return from_errno(ec.value(), fmt::format("create directory {}", dir.string()));
  return {};
}

Status rename_durably(const fs::path& from, const fs::path& to) {
  AUTOSYNC_RETURN_IF_ERROR(make_dirs(to.parent_path()));
  if (::rename(from.c_str(), to.c_str()) != 0) return errno_status("rename into", to);
  return fsync_dir(to.parent_path());
}

Result<std::string> read_file(const fs::path& path) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_status("open", path);
  std::string out;
  std::array<char, 4096> buf{};
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status("read", path);
    if (n == 0) return out;
    out.append(buf.data(), static_cast<size_t>(n));
  }
}

Status write_file_atomically(const fs::path& path, std::string_view content,
                             const fs::path& temp_dir) {
  AUTOSYNC_ASSIGN_OR_RETURN(TempFile tmp, create_temp(temp_dir));
  BufferSource source(content);
  Status s = write_source(tmp.fd.get(), source, path);
  if (s.is_ok()) s = fsync_fd(tmp.fd.get(), path);
  if (s.is_ok()) s = rename_durably(tmp.path, path);
  if (!s.is_ok()) ::unlink(tmp.path.c_str());
  return s;
}

void prune_empty_dirs(fs::path dir, const fs::path& stop_at) {
  while (dir != stop_at && dir.string().size() > stop_at.string().size()) {
    if (::rmdir(dir.c_str()) != 0) return;  // not empty (or gone): stop here
    dir = dir.parent_path();
  }
}

namespace {
constexpr size_t kReadChunk = 1 << 20;
}  // namespace

// Copies [offset, offset + length) of `fd` into `sink` from sink offset 0.
Status read_range(int fd, uint64_t offset, uint64_t length, ByteSink& sink) {
  std::vector<char> buf(std::min<uint64_t>(kReadChunk, std::max<uint64_t>(length, 1)));
  uint64_t done = 0;
  while (done < length) {
    const size_t want = std::min<uint64_t>(buf.size(), length - done);
    const ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return from_errno(errno, "read object data");
    if (n == 0) break;  // the file shrank under us: return what there is
    AUTOSYNC_RETURN_IF_ERROR(sink.write_at(done, {buf.data(), static_cast<size_t>(n)}));
    done += static_cast<uint64_t>(n);
  }
  return {};
}

}  // namespace autosync::backends::local
