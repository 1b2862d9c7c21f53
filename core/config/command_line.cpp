#include "core/config/command_line.h"

#include <filesystem>
#include <vector>

namespace autosync::config {
namespace {

// Walks the arguments; options that take a value find it in the same word or the next.
class ArgReader {
 public:
  explicit ArgReader(std::span<const std::string> args) : args_(args) {}
  bool done() const { return next_ >= args_.size(); }
  const std::string& take() { return args_[next_++]; }
  // The value of `option` whose word was `word`: "-oX", "--config=X", or the next word.
  Result<std::string> value_of(std::string_view option, std::string_view word) {
    if (word.size() > option.size()) {
      std::string_view rest = word.substr(option.size());
      if (rest.front() == '=' && option.starts_with("--")) rest.remove_prefix(1);
      return std::string(rest);
    }
    if (done()) return invalid(std::string(option) + " needs a value");
    return take();
  }

 private:
  std::span<const std::string> args_;
  size_t next_ = 0;
};

bool is_option(std::string_view word, std::string_view option) {
  if (!word.starts_with(option)) return false;
  if (word.size() == option.size()) return true;
  // Short options glue their value (-oX); long ones take it after '=' (--config=X).
  return option.starts_with("--") ? word[option.size()] == '=' : option.size() == 2;
}

size_t max_positionals(Syntax syntax) {
  return syntax == Syntax::kDaemon ? 1 : 2;
}

// mount(8)'s own flags, possibly grouped ("-nv"): f = fake; s, n, v ignored.
Status apply_helper_flags(std::string_view word, ParsedCommandLine& out) {
  for (const char flag : word.substr(1)) {
    if (flag == 'f') {
      out.fake = true;
    } else if (flag != 's' && flag != 'n' && flag != 'v') {
      return invalid("unknown option -" + std::string(1, flag));
    }
  }
  return {};
}

// One option word (starting with '-'); reads its value from `reader` when it takes one.
Status apply_option_word(const std::string& word, ArgReader& reader, Syntax syntax,
                         ParsedCommandLine& out) {
  CommandLine& cl = out.command_line;
  if (word == "-h" || word == "--help") {
    out.help = true;
  } else if (word == "-V" || word == "--version") {
    out.version = true;
  } else if (is_option(word, "-o")) {
    AUTOSYNC_ASSIGN_OR_RETURN(std::string list, reader.value_of("-o", word));
    cl.option_lists.push_back(std::move(list));
  } else if (is_option(word, "--config")) {
    AUTOSYNC_ASSIGN_OR_RETURN(std::string file, reader.value_of("--config", word));
    cl.config_file = file;
  } else if (syntax == Syntax::kMountHelper && (is_option(word, "-t") || is_option(word, "-N"))) {
    AUTOSYNC_RETURN_IF_ERROR(reader.value_of(word.substr(0, 2), word).take_status());
  } else if (syntax == Syntax::kMountHelper && word.size() > 1 && word[1] != '-') {
    return apply_helper_flags(word, out);
  } else if (syntax == Syntax::kMount && word == "-f") {
    cl.foreground = true;
  } else if (syntax == Syntax::kMount && word == "-d") {
    cl.debug = true;
  } else if (syntax == Syntax::kDaemon && is_option(word, "--idle-exit")) {
    AUTOSYNC_ASSIGN_OR_RETURN(std::string value, reader.value_of("--idle-exit", word));
    out.idle_exit = std::move(value);
  } else {
    return invalid("unknown option " + word);
  }
  return {};
}

}  // namespace

Syntax syntax_of(std::string_view argv0, Syntax otherwise) {
  const std::string name = std::filesystem::path(argv0).filename().string();
  return name.starts_with("mount.") ? Syntax::kMountHelper : otherwise;
}

Result<ParsedCommandLine> parse_command_line(std::span<const std::string> args, Syntax syntax) {
  ParsedCommandLine out;
  std::vector<std::string> positionals;
  ArgReader reader(args);
  bool options_ended = false;
  while (!reader.done()) {
    const std::string& word = reader.take();
    if (!options_ended && word == "--") {
      options_ended = true;
    } else if (!options_ended && word.size() > 1 && word.front() == '-') {
      AUTOSYNC_RETURN_IF_ERROR(apply_option_word(word, reader, syntax, out));
    } else {
      positionals.push_back(word);
    }
  }
  if (positionals.size() > max_positionals(syntax)) {
    return invalid("too many arguments: " + positionals[max_positionals(syntax)]);
  }
  if (!positionals.empty()) out.command_line.remote = positionals[0];
  if (positionals.size() > 1) out.command_line.mountpoint = positionals[1];
  return out;
}

}  // namespace autosync::config
