// CACHE/client-id: made with a temporary file and link(2), so of several processes making it
// at once exactly one wins and all read the winner's id.
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "core/base/crypto.h"
#include "core/base/encoding.h"
#include "core/base/unique_fd.h"
#include "core/cachedir/cache_dir.h"

namespace autosync::cachedir {
namespace {

constexpr size_t kIdBytes = 16;

bool well_formed(std::string_view id) {
  return id.size() == 2 * kIdBytes &&
         id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

Result<std::optional<std::string>> read_id(const std::filesystem::path& file) {
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<std::string>();
    return from_errno(errno, "read " + file.string());
  }
  std::string id(2 * kIdBytes + 1, '\0');
  const ssize_t n = ::read(fd.get(), id.data(), id.size());
  if (n < 0) return from_errno(errno, "read " + file.string());
  id.resize(static_cast<size_t>(n));
  while (!id.empty() && (id.back() == '\n' || id.back() == ' '))
    id.pop_back();
  if (!well_formed(id)) {
    return Status::error(ErrorKind::kCorrupt, file.string() + " does not hold a client id");
  }
  return std::optional<std::string>(std::move(id));
}

Status write_new_id(const std::filesystem::path& file) {
  const std::string id = to_hex(random_bytes(kIdBytes)) + "\n";
  const std::filesystem::path temp = file.string() + ".tmp." + to_hex(random_bytes(8));
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return from_errno(errno, "create " + temp.string());
  const bool written = ::write(fd.get(), id.data(), id.size()) == static_cast<ssize_t>(id.size()) &&
                       ::fsync(fd.get()) == 0;
  const int saved = errno;
  fd.reset();
  // link() fails with EEXIST when another process won: its id stands.
  const bool linked = written && (::link(temp.c_str(), file.c_str()) == 0 || errno == EEXIST);
  const int link_errno = errno;
  ::unlink(temp.c_str());
  if (!written) return from_errno(saved, "write " + temp.string());
  if (!linked) return from_errno(link_errno, "create " + file.string());
  return {};
}

}  // namespace

Result<std::string> client_id(const Paths& paths) {
  const auto file = paths.client_id();
  AUTOSYNC_ASSIGN_OR_RETURN(auto existing, read_id(file));
  if (existing) return *existing;
  AUTOSYNC_RETURN_IF_ERROR(write_new_id(file));
  AUTOSYNC_ASSIGN_OR_RETURN(auto made, read_id(file));
  if (!made) return io_error("create " + file.string() + ": it vanished");
  return *made;
}

}  // namespace autosync::cachedir
