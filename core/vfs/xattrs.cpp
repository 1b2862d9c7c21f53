// CacheVfs: extended attributes. Only user.* names are kept (in the index); the store does
// not see them yet (no s3fs-compatible encoding is settled). Every other namespace
// (security.*, system.* such as POSIX ACLs, trusted.*) is "not supported" (ENOTSUP), as on a
// local file system mounted without them: tools remember that answer per file system, where
// "no such attribute" (ENODATA) makes them ask again for every file (`ls -l` asks for the
// SELinux label and the ACL of each entry, two FUSE round trips each, unless told ENOTSUP).
#include "core/vfs/cache_vfs.h"

namespace autosync::vfs {

namespace {

bool user_namespace(std::string_view name) {
  return name.starts_with("user.");
}

Status check_user_name(std::string_view what, std::string_view name) {
  if (!user_namespace(name)) {
    return Status::error(ErrorKind::kUnsupported,
                         std::string(what) + " " + std::string(name) + ": only user.* is kept");
  }
  if (name.size() == 5)
    return Status::error(ErrorKind::kInvalid, std::string(what) + ": empty name");
  return Status::ok();
}

}  // namespace

Status CacheVfs::setxattr(Ino ino, std::string_view name, std::span<const char> value, int flags) {
  AUTOSYNC_RETURN_IF_ERROR(check_writable("setxattr"));
  AUTOSYNC_RETURN_IF_ERROR(check_user_name("setxattr", name));
  return index_.set_xattr(ino, name, std::string_view(value.data(), value.size()), flags);
}

Result<std::string> CacheVfs::getxattr(Ino ino, std::string_view name) {
  // Other namespaces are answered here without the index: the kernel asks for
  // security.capability before every write. The message fits std::string's inline buffer,
  // so the answer allocates nothing.
  if (!user_namespace(name)) return Status::error(ErrorKind::kUnsupported, "not user.*");
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
