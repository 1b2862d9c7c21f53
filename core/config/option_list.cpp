#include "core/config/option_list.h"

#include <fmt/format.h>

namespace autosync::config {
namespace {

// Builds one item as the characters arrive.
class ItemBuilder {
 public:
  void add(char c, bool literal) {
    if (!literal && c == '=' && !value_) {
      value_.emplace();
      return;
    }
    (value_ ? *value_ : key_).push_back(c);
  }

  // Adds the finished item to `out` (skipping empty ones) and starts the next.
  Status finish(std::vector<MountOption>& out) {
    if (key_.empty() && value_) return invalid("-o: an option has a value but no key (\"=...\")");
    if (!key_.empty()) out.push_back({std::move(key_), std::move(value_)});
    key_.clear();
    value_.reset();
    return {};
  }
  const std::string& key() const { return key_; }

 private:
  std::string key_;
  std::optional<std::string> value_;
};

}  // namespace

Result<std::vector<MountOption>> split_mount_options(std::string_view list) {
  std::vector<MountOption> out;
  ItemBuilder item;
  bool quoted = false;
  for (size_t i = 0; i < list.size(); ++i) {
    const char c = list[i];
    if (c == '\\') {
      if (++i == list.size())
        return invalid(fmt::format("-o {}: ends with a lone backslash", item.key()));
      item.add(list[i], true);
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      AUTOSYNC_RETURN_IF_ERROR(item.finish(out));
    } else {
      item.add(c, quoted);
    }
  }
  if (quoted) return invalid(fmt::format("-o {}: a double quote is not closed", item.key()));
  AUTOSYNC_RETURN_IF_ERROR(item.finish(out));
  return out;
}

std::string escape_option_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == ',' || c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace autosync::config
