// parse_config and load_config_file: walks a TOML document through the key table (keys.h).
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <vector>

#include "core/base/unique_fd.h"
#include "core/config/config.h"
#include "core/config/keys.h"

namespace autosync::config {
namespace {

constexpr std::array<std::string_view, 6> kSections = {"cache", "sync",  "retry",
                                                       "s3",    "azure", "fuse"};
constexpr size_t kMaxFileBytes = 1 << 20;  // a config file this big is not a config file

std::string_view type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    default:
      return "nothing";
  }
}

std::string_view expected_form(ValueKind kind) {
  switch (kind) {
    case ValueKind::kFlag:
      return "true or false";
    case ValueKind::kCount:
      return "a whole number";
    case ValueKind::kSize:
    case ValueKind::kRate:
      return "a size such as \"20G\" or a number of bytes";
    case ValueKind::kMode:
      return "an octal mode such as \"022\" or 0o022";
    case ValueKind::kDuration:
    case ValueKind::kSeconds:
      return "a duration such as \"30s\"";
    default:
      return "a string";
  }
}

bool takes_integer(ValueKind kind) {
  return kind == ValueKind::kCount || kind == ValueKind::kSize || kind == ValueKind::kRate ||
         kind == ValueKind::kMode;
}

bool takes_string(ValueKind kind) {
  return kind != ValueKind::kFlag && kind != ValueKind::kCount;
}

Result<Value> value_from_integer(const KeySpec& key, const toml::value<int64_t>& integer) {
  if (integer.get() < 0) return invalid(fmt::format("{} is negative", integer.get()));
  const bool octal =
      (integer.flags() & toml::value_flags::format_as_octal) != toml::value_flags::none;
  if (key.kind == ValueKind::kMode && !octal && integer.get() != 0) {
    return invalid(
        fmt::format("the decimal integer {} is not an octal mode; write \"0{}\" or 0o{} for octal",
                    integer.get(), integer.get(), integer.get()));
  }
  Value value;
  value.number = static_cast<uint64_t>(integer.get());
  AUTOSYNC_RETURN_IF_ERROR(check_limits(key, value));
  return value;
}

// What the file says, before cross-key validation.
struct FileContents {
  Options options;
  std::vector<std::string> literal_secrets;  // names of secret keys given literally
};

// Walks the document, applying every key it knows and noting every problem with its line.
class DocumentReader {
 public:
  DocumentReader(std::string_view file, const EnvLookup& env) : file_(file), env_(env) {
    contents_.options.store.env = env;
  }

  void read_root(const toml::table& root) {
    for (const auto& [key, node] : root) {
      const bool is_section =
          std::find(kSections.begin(), kSections.end(), key.str()) != kSections.end();
      if (!is_section) {
        apply(std::string(key.str()), key, node);
      } else if (const toml::table* table = node.as_table()) {
        for (const auto& [inner_key, inner_node] : *table)
          apply(fmt::format("{}.{}", key.str(), inner_key.str()), inner_key, inner_node);
      } else {
        add_problem(
            node.source().begin.line, key.str(),
            fmt::format("expected a table [{}], not {}", key.str(), type_name(node.type())));
      }
    }
  }

  // The first problem by line, with how many more there are.
  Status first_problem() const {
    if (problems_.empty()) return {};
    const auto first =
        std::min_element(problems_.begin(), problems_.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string message = first->second;
    if (problems_.size() > 1) {
      message += fmt::format(" (and {} more problem{})", problems_.size() - 1,
                             problems_.size() > 2 ? "s" : "");
    }
    return invalid(std::move(message));
  }

  FileContents take() && { return std::move(contents_); }

 private:
  void apply(const std::string& name, const toml::key& key, const toml::node& node) {
    const KeySpec* spec = find_key(name);
    if (spec == nullptr) {
      const std::string_view suggestion = suggest_key(name);
      add_problem(key.source().begin.line, name,
                  suggestion.empty() ? std::string("unknown key")
                                     : fmt::format("unknown key (did you mean {}?)", suggestion));
      return;
    }
    Result<Value> value = from_node(*spec, node);
    if (!value.is_ok()) {
      add_problem(node.source().begin.line, name, value.status().message());
      return;
    }
    spec->set(contents_.options, *value);
    if (spec->kind == ValueKind::kSecret && !value->from_env && !value->text.empty())
      contents_.literal_secrets.push_back(name);
  }

  Result<Value> from_node(const KeySpec& spec, const toml::node& node) const {
    if (const auto* text = node.as_string(); text != nullptr && takes_string(spec.kind))
      return value_from_text(spec, text->get(), Origin::kFile, env_);
    if (const auto* integer = node.as_integer(); integer != nullptr && takes_integer(spec.kind))
      return value_from_integer(spec, *integer);
    if (const auto* boolean = node.as_boolean();
        boolean != nullptr && spec.kind == ValueKind::kFlag) {
      Value value;
      value.flag = boolean->get();
      return value;
    }
    return invalid(
        fmt::format("expected {}, not {}", expected_form(spec.kind), type_name(node.type())));
  }

  void add_problem(uint32_t line, std::string_view key, std::string_view reason) {
    problems_.emplace_back(line, fmt::format("{}:{}: key {}: {}", file_, line, key, reason));
  }

  std::string_view file_;
  const EnvLookup& env_;
  FileContents contents_;
  std::vector<std::pair<uint32_t, std::string>> problems_;
};

Result<FileContents> read_document(std::string_view text, std::string_view file,
                                   const EnvLookup& env) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    return invalid(
        fmt::format("{}:{}: invalid TOML: {}", file, e.source().begin.line, e.description()));
  }
  DocumentReader reader(file, env);
  reader.read_root(root);
  AUTOSYNC_RETURN_IF_ERROR(reader.first_problem());
  FileContents contents = std::move(reader).take();
  Status valid = validate(contents.options);
  if (!valid.is_ok()) return invalid(fmt::format("{}: {}", file, valid.message()));
  return contents;
}

struct FileText {
  std::string text;
  mode_t mode = 0;
};

Result<FileText> read_file(const std::filesystem::path& path) {
  const std::string what = fmt::format("config file {}", path.string());
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return from_errno(errno, what);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return from_errno(errno, what);
  if (!S_ISREG(st.st_mode)) return invalid(what + ": not a regular file");
  if (static_cast<uint64_t>(st.st_size) > kMaxFileBytes)
    return invalid(fmt::format("{}: larger than {} bytes, not a config file", what, kMaxFileBytes));
  FileText file{std::string(static_cast<size_t>(st.st_size), '\0'), st.st_mode};
  size_t done = 0;
  while (done < file.text.size()) {
    const ssize_t n = ::read(fd.get(), file.text.data() + done, file.text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return from_errno(errno, what);
    if (n == 0) break;  // the file shrank while we read it
    done += static_cast<size_t>(n);
  }
  file.text.resize(done);
  return file;
}

}  // namespace

Result<Options> parse_config(std::string_view toml_text, std::string_view file_name_for_errors,
                             const EnvLookup& env) {
  AUTOSYNC_ASSIGN_OR_RETURN(FileContents contents,
                            read_document(toml_text, file_name_for_errors, env));
  return std::move(contents.options);
}

Result<Options> load_config_file(const std::filesystem::path& path, const EnvLookup& env) {
  AUTOSYNC_ASSIGN_OR_RETURN(FileText file, read_file(path));
  AUTOSYNC_ASSIGN_OR_RETURN(FileContents contents, read_document(file.text, path.string(), env));
  if (!contents.literal_secrets.empty() && (file.mode & (S_IRGRP | S_IROTH)) != 0) {
    return invalid(fmt::format(
        "{}: holds {} but is readable by group or others (mode {:04o}); run chmod 600 {}, or "
        "write the secret as \"env:NAME\" to read it from the environment",
        path.string(), fmt::join(contents.literal_secrets, ", "), file.mode & 07777,
        path.string()));
  }
  contents.options.config_file = path;
  return std::move(contents.options);
}

}  // namespace autosync::config
