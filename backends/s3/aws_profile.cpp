#include "backends/s3/aws_profile.h"

#include <fmt/format.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "core/base/encoding.h"

namespace autosync::backends::s3 {
namespace {

// The profile a section header names in this kind of file, or nothing for other sections
// ("[sso-session x]", "[services y]") that are not profiles.
std::optional<std::string> section_profile(std::string_view header, ProfileFile kind) {
  const std::string_view name = trim(header);
  if (kind == ProfileFile::kCredentials) return std::string(name);
  if (name == "default") return std::string(name);
  constexpr std::string_view kPrefix = "profile";
  if (name.starts_with(kPrefix) && name.size() > kPrefix.size() &&
      (name[kPrefix.size()] == ' ' || name[kPrefix.size()] == '\t')) {
    return std::string(trim(name.substr(kPrefix.size())));
  }
  return std::nullopt;
}

bool is_comment(std::string_view line) {
  return line.starts_with('#') || line.starts_with(';');
}

}  // namespace

std::optional<ProfileValues> parse_profile(std::string_view text, std::string_view profile,
                                           ProfileFile kind) {
  std::optional<ProfileValues> found;
  bool in_profile = false;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view raw = text.substr(start, end - start);
    start = end + 1;
    const std::string_view line = trim(raw);
    if (line.empty() || is_comment(line)) continue;
    if (line.starts_with('[')) {
      const size_t close = line.find(']');
      const auto name = section_profile(
          line.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1),
          kind);
      in_profile = name.has_value() && *name == profile;
      if (in_profile && !found) found.emplace();
      continue;
    }
    // Indented lines are the body of a nested setting such as "s3 =": not this level's keys.
    if (!in_profile || raw.starts_with(' ') || raw.starts_with('\t')) continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    (*found)[to_lower(trim(line.substr(0, eq)))] = std::string(trim(line.substr(eq + 1)));
  }
  return found;
}

Result<std::optional<ProfileValues>> read_profile(const std::string& path, std::string_view profile,
                                                  ProfileFile kind) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<ProfileValues>{};
    return invalid(fmt::format("cannot read AWS shared file {}", path));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_profile(text.str(), profile, kind);
}

}  // namespace autosync::backends::s3
