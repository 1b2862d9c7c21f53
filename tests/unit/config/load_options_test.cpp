// load_options: the file, the positional arguments, the -o lists and the flags, merged.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "core/config/config.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/config/fake_env.h"

using namespace autosync;
using namespace autosync::config;
using autosync::config::testing::fake_env;
using autosync::testing::TempDir;

namespace {

constexpr uint32_t kUser = 1000;

std::filesystem::path write_config(const TempDir& dir, std::string_view text) {
  std::filesystem::path path = dir.path() / "mount.toml";
  std::ofstream(path) << text;
  REQUIRE(::chmod(path.c_str(), 0600) == 0);
  return path;
}

EnvLookup home_env() {
  return fake_env({{"HOME", "/home/ann"}});
}

bool is_hex(std::string_view text) {
  return text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

TEST_CASE("load_options merges file, arguments, -o lists and flags in that order", "[load]") {
  TempDir dir;
  const auto path = write_config(dir,
                                 "remote = \"s3://from-file\"\nmountpoint = \"/mnt/file\"\n"
                                 "[cache]\nsize = \"1G\"\ndir_ttl = \"2m\"\n");
  CommandLine cl;
  cl.mountpoint = "mnt/here";
  cl.option_lists = {"config=" + path.string() + ",cache.size=2G", "ro,cache.size=3G"};
  cl.foreground = true;
  auto r = load_options(cl, home_env(), kUser);
  REQUIRE(r.is_ok());
  CHECK(r->config_file == path);
  CHECK(backends::to_string(r->store.remote) == "s3://from-file");
  CHECK(r->mountpoint == std::filesystem::current_path() / "mnt/here");
  CHECK(r->cache.max_bytes == 3ULL << 30);
  CHECK(r->cache.dir_ttl == std::chrono::minutes(2));
  CHECK(r->fuse.read_only);
  CHECK(r->fuse.foreground);
  CHECK_FALSE(r->fuse.debug);
  CHECK(r->cache.dir.parent_path() == "/home/ann/.cache/autosync");
  // The environment given is the one the backends will read.
  CHECK(r->store.env("HOME") == std::optional<std::string>("/home/ann"));
}

TEST_CASE("REMOTE on the command line wins over the file's", "[load]") {
  TempDir dir;
  const auto path = write_config(dir, "remote = \"s3://from-file\"\n");
  CommandLine cl;
  cl.remote = "azure://container/sub";
  cl.config_file = path;
  cl.debug = true;
  auto r = load_options(cl, home_env(), kUser);
  REQUIRE(r.is_ok());
  CHECK(backends::to_string(r->store.remote) == "azure://container/sub");
  CHECK(r->fuse.debug);
}

TEST_CASE("load_options needs a remote and at most one config file", "[load]") {
  CommandLine none;
  auto no_remote = load_options(none, home_env(), kUser);
  REQUIRE_FALSE(no_remote.is_ok());
  CHECK_THAT(no_remote.status().message(), Catch::StartsWith("no remote"));

  CommandLine bad_remote;
  bad_remote.remote = "bucket";
  CHECK_THAT(load_options(bad_remote, home_env(), kUser).status().message(),
             Catch::StartsWith("remote bucket: unknown form"));

  CommandLine two;
  two.remote = "s3://b";
  two.config_file = "/etc/autosync/a.toml";
  two.option_lists = {"config=/etc/autosync/b.toml"};
  CHECK_THAT(load_options(two, home_env(), kUser).status().message(),
             Catch::Contains("two config files named"));

  CommandLine empty_config;
  empty_config.remote = "s3://b";
  empty_config.option_lists = {"config="};
  CHECK_THAT(load_options(empty_config, home_env(), kUser).status().message(),
             Catch::Contains("-o config: needs a value"));

  TempDir dir;
  CommandLine missing;
  missing.remote = "s3://b";
  missing.config_file = dir.path() / "missing.toml";
  CHECK(load_options(missing, home_env(), kUser).status().is(ErrorKind::kNotFound));
}

TEST_CASE("errors in an -o list stop the merge", "[load]") {
  CommandLine cl;
  cl.remote = "s3://b";
  cl.option_lists = {"ro", "cache.size=lots"};
  auto r = load_options(cl, home_env(), kUser);
  REQUIRE_FALSE(r.is_ok());
  CHECK_THAT(r.status().message(), Catch::StartsWith("-o cache.size: size \"lots\""));

  cl.option_lists = {"retry.initial_delay=1m"};  // longer than the default max_delay
  CHECK_THAT(load_options(cl, home_env(), kUser).status().message(),
             Catch::StartsWith("retry: initial_delay (1m) is longer than max_delay (10s)"));
}

TEST_CASE("AUTOSYNC_TEST_FAULTS puts store faults in the options, a bad one is refused", "[load]") {
  CommandLine cl;
  cl.remote = "file:///srv/data";
  cl.option_lists = {"cache.dir=/srv/cache"};
  CHECK_FALSE(load_options(cl, fake_env(), kUser)->store.faults.has_value());
  auto r =
      load_options(cl, fake_env({{kTestFaultsVariable, "op=put,calls=1,error=throttled"}}), kUser);
  REQUIRE(r.is_ok());
  REQUIRE(r->store.faults.has_value());
  CHECK(r->store.faults->rules.size() == 1);
  auto bad = load_options(cl, fake_env({{kTestFaultsVariable, "op=put"}}), kUser);
  CHECK(bad.status().message() == "AUTOSYNC_TEST_FAULTS: rule 1: give calls= or p=, one of them");
}

TEST_CASE("an explicit cache dir is kept", "[load]") {
  CommandLine cl;
  cl.remote = "file:///srv/data";
  cl.option_lists = {"cache.dir=/srv/cache"};
  auto r = load_options(cl, fake_env(), kUser);  // no HOME needed
  REQUIRE(r.is_ok());
  CHECK(r->cache.dir == "/srv/cache");
}

TEST_CASE("the default cache dir depends on the user and the remote", "[load]") {
  backends::StoreConfig store;
  store.remote = *backends::parse_remote_url("s3://bucket/p");

  auto root = default_cache_dir(store, home_env(), 0);
  REQUIRE(root.is_ok());
  CHECK(root->parent_path() == "/var/cache/autosync");
  const std::string id = root->filename().string();
  CHECK(id.size() == 16);
  CHECK(is_hex(id));

  auto user = default_cache_dir(store, home_env(), kUser);
  REQUIRE(user.is_ok());
  CHECK(*user == std::filesystem::path("/home/ann/.cache/autosync") / id);

  auto xdg = default_cache_dir(store, fake_env({{"HOME", "/h"}, {"XDG_CACHE_HOME", "/x"}}), kUser);
  CHECK(*xdg == std::filesystem::path("/x/autosync") / id);
  auto relative_xdg =
      default_cache_dir(store, fake_env({{"HOME", "/h"}, {"XDG_CACHE_HOME", "x"}}), kUser);
  CHECK(*relative_xdg == std::filesystem::path("/h/.cache/autosync") / id);

  auto nowhere = default_cache_dir(store, fake_env(), kUser);
  REQUIRE_FALSE(nowhere.is_ok());
  CHECK_THAT(nowhere.status().message(), Catch::Contains("set cache.dir"));

  // Same bucket name on another server, or another prefix: another cache.
  backends::StoreConfig minio = store;
  minio.s3.endpoint = "http://127.0.0.1:9000";
  CHECK(default_cache_dir(minio, home_env(), 0)->filename() != id);
  backends::StoreConfig other_prefix = store;
  other_prefix.remote.prefix = "q/";
  CHECK(default_cache_dir(other_prefix, home_env(), 0)->filename() != id);
  CHECK(default_cache_dir(store, home_env(), 0)->filename() == id);  // stable
}

TEST_CASE("bandwidth limits: each direction's key wins over the shared one, -o like any key",
          "[load]") {
  CommandLine cl;
  cl.remote = "s3://b";
  auto none = load_options(cl, home_env(), kUser);
  REQUIRE(none.is_ok());
  CHECK_FALSE(none->store.bandwidth.any());  // unlimited by default

  cl.option_lists = {"sync.bandwidth_limit=10M/s,sync.bandwidth_limit_down=0"};
  auto both = load_options(cl, home_env(), kUser);
  REQUIRE(both.is_ok());
  CHECK(both->store.bandwidth.up_bytes_per_second == 10ULL << 20);
  CHECK(both->store.bandwidth.down_bytes_per_second == 0);  // 0 lifts it for downloads

  cl.option_lists = {"sync.bandwidth_limit_up=512K", "sync.bandwidth_limit=2M"};
  auto up = load_options(cl, home_env(), kUser);
  REQUIRE(up.is_ok());
  CHECK(up->store.bandwidth.up_bytes_per_second == 512ULL << 10);
  CHECK(up->store.bandwidth.down_bytes_per_second == 2ULL << 20);

  cl.option_lists = {"sync.bandwidth_limit_up=fast"};
  auto bad = load_options(cl, home_env(), kUser);
  REQUIRE_FALSE(bad.is_ok());
  CHECK_THAT(bad.status().message(),
             Catch::StartsWith("-o sync.bandwidth_limit_up: size \"fast\""));
  CHECK(bad.status().message().find('\n') == std::string::npos);
}
