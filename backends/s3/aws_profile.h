// Reading one profile from the AWS shared files (~/.aws/credentials and ~/.aws/config).
//
// Both are INI files. In the credentials file a section is the bare profile name; in the
// config file it is "[profile NAME]", except the default profile which may be "[default]".
// Keys are case-insensitive (stored lower-case); '#' and ';' start comment lines; indented
// lines belong to a nested setting (e.g. "s3 =" blocks) and are skipped.
// Pure functions over file contents; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/result.h"

namespace autosync::backends::s3 {

// One profile's settings: lower-case key -> value.
using ProfileValues = std::map<std::string, std::string>;

enum class ProfileFile { kCredentials, kConfig };

// The profile's section from the text of a shared file; nothing when the section is absent.
std::optional<ProfileValues> parse_profile(std::string_view text, std::string_view profile,
                                           ProfileFile kind);

// Reads `path` and parses the profile; nothing when the file or the section does not exist.
// An existing file that cannot be read is an error (kInvalid naming the file).
Result<std::optional<ProfileValues>> read_profile(const std::string& path, std::string_view profile,
                                                  ProfileFile kind);

}  // namespace autosync::backends::s3
