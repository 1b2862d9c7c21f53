// CacheVfs: extended attributes. Only user.* names are kept (in the index); the store does
// not see them yet (no s3fs-compatible encoding is settled).
#include "core/vfs/cache_vfs.h"

namespace autosync::vfs {

namespace {

Status check_user_name(std::string_view what, std::string_view name) {
  if (name.starts_with("user.") && name.size() > 5) return Status::ok();
  return Status::error(ErrorKind::kNotPermitted,
                       std::string(what) + " " + std::string(name) + ": only user.* is kept");
}

}  // namespace

Status CacheVfs::setxattr(Ino ino, std::string_view name, std::span<const char> value, int flags) {
  AUTOSYNC_RETURN_IF_ERROR(check_writable("setxattr"));
  AUTOSYNC_RETURN_IF_ERROR(check_user_name("setxattr", name));
  return index_.set_xattr(ino, name, std::string_view(value.data(), value.size()), flags);
}

Result<std::string> CacheVfs::getxattr(Ino ino, std::string_view name) {
  // Other namespaces (security.*, system.*, trusted.*) are never stored, so they are answered
  // here without the index: the kernel asks for security.capability before every write.
  // The message fits std::string's inline buffer, so the answer allocates nothing.
  if (!name.starts_with("user.")) return Status::error(ErrorKind::kNoAttribute, "no such xattr");
  return index_.get_xattr(ino, name);
}

Result<std::vector<std::string>> CacheVfs::listxattr(Ino ino) {
  return index_.list_xattrs(ino);
}

Status CacheVfs::removexattr(Ino ino, std::string_view name) {
  AUTOSYNC_RETURN_IF_ERROR(check_writable("removexattr"));
  AUTOSYNC_RETURN_IF_ERROR(check_user_name("removexattr", name));
  return index_.remove_xattr(ino, name);
}

}  // namespace autosync::vfs
