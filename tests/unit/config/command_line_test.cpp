// parse_command_line: the three programs' argument syntaxes.
#include "core/config/command_line.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace autosync;
using namespace autosync::config;

namespace {

Result<ParsedCommandLine> parse(std::vector<std::string> args, Syntax syntax = Syntax::kMount) {
  return parse_command_line(args, syntax);
}

}  // namespace

TEST_CASE("autosyncfs takes REMOTE MOUNTPOINT, -o lists in order, -f, -d and --config",
          "[command_line]") {
  auto parsed = parse({"s3://b/p", "/mnt/b", "-o", "ro,uid=5", "-ocache.size=2G", "-f", "-d",
                       "--config=/etc/a.toml"});
  REQUIRE(parsed.is_ok());
  const CommandLine& cl = parsed->command_line;
  CHECK(cl.remote == "s3://b/p");
  CHECK(cl.mountpoint == "/mnt/b");
  CHECK(cl.option_lists == std::vector<std::string>{"ro,uid=5", "cache.size=2G"});
  CHECK(cl.foreground);
  CHECK(cl.debug);
  CHECK(cl.config_file == "/etc/a.toml");
  CHECK_FALSE(parsed->fake);
}

TEST_CASE("options may come before the positional arguments, and -- ends them", "[command_line]") {
  auto parsed = parse({"--config", "c.toml", "-o", "ro", "--", "-odd-remote", "/mnt"});
  REQUIRE(parsed.is_ok());
  CHECK(parsed->command_line.config_file == "c.toml");
  CHECK(parsed->command_line.remote == "-odd-remote");
  CHECK(parsed->command_line.mountpoint == "/mnt");
}

TEST_CASE("bad command lines are one-line errors", "[command_line]") {
  auto unknown = parse({"s3://b", "/mnt", "-x"});
  REQUIRE_FALSE(unknown.is_ok());
  CHECK(unknown.status().message() == "unknown option -x");
  auto no_value = parse({"s3://b", "/mnt", "-o"});
  REQUIRE_FALSE(no_value.is_ok());
  CHECK(no_value.status().message() == "-o needs a value");
  auto extra = parse({"s3://b", "/mnt", "/more"});
  REQUIRE_FALSE(extra.is_ok());
  CHECK(extra.status().message() == "too many arguments: /more");
  CHECK_FALSE(parse({"--configx=1"}).is_ok());
}

TEST_CASE("as mount.autosyncfs, -f means a fake mount and mount(8)'s flags are accepted",
          "[command_line]") {
  CHECK(syntax_of("/sbin/mount.autosyncfs", Syntax::kMount) == Syntax::kMountHelper);
  CHECK(syntax_of("mount.fuse.autosyncfs", Syntax::kMount) == Syntax::kMountHelper);
  CHECK(syntax_of("/usr/bin/autosyncfs", Syntax::kMount) == Syntax::kMount);
  auto parsed =
      parse({"file:///srv/b", "/mnt/b", "-nv", "-f", "-o", "rw,noauto", "-t", "autosyncfs"},
            Syntax::kMountHelper);
  REQUIRE(parsed.is_ok());
  CHECK(parsed->fake);
  CHECK_FALSE(parsed->command_line.foreground);
  CHECK(parsed->command_line.option_lists == std::vector<std::string>{"rw,noauto"});
  CHECK_FALSE(parse({"a", "b", "-d"}, Syntax::kMountHelper).is_ok());
}

TEST_CASE("autosyncd takes REMOTE only, and --idle-exit", "[command_line]") {
  auto parsed = parse({"s3://b", "--idle-exit", "5s", "-o", "cache.dir=/c"}, Syntax::kDaemon);
  REQUIRE(parsed.is_ok());
  CHECK(parsed->command_line.remote == "s3://b");
  CHECK(parsed->idle_exit == std::optional<std::string>("5s"));
  CHECK_FALSE(parse({"s3://b", "/mnt"}, Syntax::kDaemon).is_ok());
  CHECK_FALSE(parse({"s3://b", "-f"}, Syntax::kDaemon).is_ok());
  CHECK_FALSE(parse({"s3://b", "--idle-exit=1s"}, Syntax::kMount).is_ok());
}

TEST_CASE("help and version are flags of every program", "[command_line]") {
  CHECK(parse({"--help"})->help);
  CHECK(parse({"-V"}, Syntax::kDaemon)->version);
}
