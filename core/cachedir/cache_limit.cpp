// CACHE/cache-limit: the cache size limit autosyncctl cache set-limit chose, one decimal
// number of bytes. Written to a temporary file and renamed into place, so a reader sees the
// old number or the new one, never a part.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <string>

#include "core/base/crypto.h"
#include "core/base/encoding.h"
#include "core/base/unique_fd.h"
#include "core/cachedir/cache_dir.h"

namespace autosync::cachedir {

Result<std::optional<uint64_t>> read_cache_limit(const Paths& paths) {
  const auto file = paths.cache_limit();
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<uint64_t>();
    return from_errno(errno, "read " + file.string());
  }
  std::string text(32, '\0');
  const ssize_t n = ::read(fd.get(), text.data(), text.size());
  if (n < 0) return from_errno(errno, "read " + file.string());
  text.resize(static_cast<size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  uint64_t bytes = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), bytes);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return Status::error(ErrorKind::kCorrupt,
                         fmt::format("{} does not hold a number of bytes", file.string()));
  }
  return std::optional<uint64_t>(bytes);
}

Status write_cache_limit(const Paths& paths, uint64_t bytes) {
  const auto file = paths.cache_limit();
  const std::string text = std::to_string(bytes) + "\n";
  const std::filesystem::path temp = file.string() + ".tmp." + to_hex(random_bytes(8));
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return from_errno(errno, "create " + temp.string());
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
      ::fsync(fd.get()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    return from_errno(saved, "write " + temp.string());
  }
  fd.reset();
  if (::rename(temp.c_str(), file.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp.c_str());
    return from_errno(saved, "rename to " + file.string());
  }
  return {};
}

uint64_t effective_cache_limit(const Paths& paths, uint64_t configured,
                               bool configured_explicitly) {
  if (configured_explicitly) return configured;
  auto chosen = read_cache_limit(paths);
  return chosen.is_ok() && chosen->has_value() ? **chosen : configured;
}

}  // namespace autosync::cachedir
