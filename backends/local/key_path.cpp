#include "backends/local/key_path.h"

#include <fmt/format.h>

#include "core/base/crypto.h"
#include "core/base/encoding.h"

namespace autosync::backends::local {
namespace {

constexpr size_t kMaxComponentBytes = 255;

}  // namespace

Status validate_key(std::string_view key) {
  if (key.empty()) return invalid("empty key");
  if (key.find('\0') != std::string_view::npos) return invalid("key contains a NUL byte");
  if (key.front() == '/') return invalid(fmt::format("key {} starts with '/'", key));
  std::string_view rest = is_dir_marker(key) ? key.substr(0, key.size() - 1) : key;
  bool first = true;
  while (true) {
    const size_t slash = rest.find('/');
    const std::string_view part = rest.substr(0, slash);
    if (part.empty() || part == "." || part == "..") {
      return invalid(fmt::format("key {} has an empty, '.' or '..' path component", key));
    }
    if (part.size() > kMaxComponentBytes) {
      return invalid(fmt::format("key {} has a path component over 255 bytes", key));
    }
    if (first && (part == kMetaDir || part == kTempDir || part == kVersionsDir)) {
      return invalid(fmt::format("key {} uses a name reserved by the local backend", key));
    }
    first = false;
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  return {};
}

bool is_dir_marker(std::string_view key) {
  return !key.empty() && key.back() == '/';
}

KeyPaths::KeyPaths(std::filesystem::path root) : root_(std::move(root)) {}

std::filesystem::path KeyPaths::data(std::string_view key) const {
  return root_ / std::filesystem::path(std::string(key));
}

std::filesystem::path KeyPaths::sidecar(std::string_view key) const {
  // KEY + ".meta" is injective, and a marker "a/b/" maps to "a/b/.meta", which no other
  // key's sidecar can be ("a/b/." is not a valid key).
  const std::string_view name = key.substr(key.rfind('/') + 1);  // "" for a marker (npos + 1 = 0)
  if (name.size() + kMetaSuffix.size() <= kMaxComponentBytes) {
    return meta_root() / std::filesystem::path(std::string(key) + std::string(kMetaSuffix));
  }
  // A name too long to take the suffix (up to 255 bytes is a valid key component): its
  // hash, "HEX.hmeta", which no KEY + ".meta" can be (that has a '.' before "meta").
  const std::string parent(key.substr(0, key.size() - name.size()));
  return meta_root() / std::filesystem::path(parent + to_hex(sha256(name)) + ".hmeta");
}

}  // namespace autosync::backends::local
