// -o lists: splitting, keys and aliases, fstab's generic options, and overriding the file.
#include <catch2/catch.hpp>

#include "core/config/config.h"
#include "core/config/option_list.h"
#include "tests/unit/config/fake_env.h"

using namespace autosync;
using namespace autosync::config;
using namespace std::chrono_literals;
using autosync::config::testing::fake_env;

namespace {

Options defaults() {
  Options options;
  options.store.env = fake_env({{"MY_SECRET", "from-env"}});
  return options;
}

// The message of the error that applying `list` to a default Options gives.
std::string apply_error(std::string_view list) {
  Options options = defaults();
  const Status status = apply_mount_options(options, list);
  REQUIRE_FALSE(status.is_ok());
  CHECK(status.is(ErrorKind::kInvalid));
  return status.message();
}

}  // namespace

TEST_CASE("option lists split on commas, and the first '=' splits key from value", "[options]") {
  auto items = split_mount_options("ro,uid=1000,s3.endpoint=http://h:9000/?a=b,,empty=,");
  REQUIRE(items.is_ok());
  CHECK(*items == std::vector<MountOption>{{"ro", std::nullopt},
                                           {"uid", "1000"},
                                           {"s3.endpoint", "http://h:9000/?a=b"},
                                           {"empty", ""}});
  CHECK(split_mount_options("")->empty());
  CHECK(split_mount_options(",,")->empty());
}

TEST_CASE("commas inside values are quoted or escaped", "[options]") {
  auto quoted = split_mount_options("cache.dir=\"/srv/a,b\",ro");
  REQUIRE(quoted.is_ok());
  CHECK(*quoted == std::vector<MountOption>{{"cache.dir", "/srv/a,b"}, {"ro", std::nullopt}});
  auto escaped = split_mount_options(R"(cache.dir=/srv/a\,b\\c,x-y="=")");
  REQUIRE(escaped.is_ok());
  CHECK(*escaped == std::vector<MountOption>{{"cache.dir", R"(/srv/a,b\c)"}, {"x-y", "="}});

  CHECK_THAT(split_mount_options("cache.dir=\"/srv").status().message(),
             Catch::Contains("-o cache.dir: a double quote is not closed"));
  CHECK_THAT(split_mount_options("ro,a=b\\").status().message(), Catch::Contains("lone backslash"));
  CHECK_THAT(split_mount_options("ro,=x").status().message(), Catch::Contains("no key"));
}

TEST_CASE("escape_option_value makes any value survive an option list", "[options]") {
  for (const std::string value : {"/plain/dir", "/a,b", "/q\"uote\"d", "/back\\slash,", ""}) {
    auto items = split_mount_options("cache.dir=" + escape_option_value(value) + ",ro");
    REQUIRE(items.is_ok());
    REQUIRE(items->size() == 2);
    CHECK((*items)[0].value == std::optional<std::string>(value));
    CHECK((*items)[1].key == "ro");
  }
}

TEST_CASE("keys given with -o mirror the file, with short names for the FUSE ones", "[options]") {
  Options o = defaults();
  REQUIRE(
      apply_mount_options(o,
                          "s3.endpoint=http://127.0.0.1:9000,cache.size=20G,allow_other,ro,"
                          "uid=1000,gid=1000,umask=022,default_permissions,foreground,debug,"
                          "sync.writeback_delay=5s,sync.writeback_max_delay=0,retry.max_attempts=2,"
                          "s3.preset=minio,"
                          "cache.fsync_waits_for_upload,s3.verify_tls=no,remote=s3://b/p,"
                          "mountpoint=/mnt/b,s3.secret_access_key=env:MY_SECRET,"
                          "s3.access_key_id=AKID")
          .is_ok());
  CHECK(o.store.s3.endpoint == "http://127.0.0.1:9000");
  CHECK(o.cache.max_bytes == 20ULL << 30);
  CHECK(o.fuse.allow_other);
  CHECK(o.fuse.read_only);
  CHECK(o.fuse.uid == std::optional<uint32_t>(1000));
  CHECK(o.fuse.gid == std::optional<uint32_t>(1000));
  CHECK(o.fuse.umask == std::optional<uint32_t>(022));
  CHECK(o.fuse.default_permissions);
  CHECK(o.fuse.foreground);
  CHECK(o.fuse.debug);
  CHECK(o.sync.writeback_delay == 5s);
  CHECK(o.sync.writeback_max_delay == 0s);
  CHECK(o.store.retry.max_attempts == 2);
  CHECK(o.store.s3.preset == backends::s3::Preset::kMinio);
  CHECK(o.cache.fsync_waits_for_upload);
  CHECK_FALSE(o.store.s3.verify_tls);
  CHECK(backends::to_string(o.store.remote) == "s3://b/p");
  CHECK(o.mountpoint == "/mnt/b");
  REQUIRE(o.store.s3.credentials.has_value());
  CHECK(o.store.s3.credentials->secret_access_key == "from-env");
  CHECK(o.store.s3.credentials->access_key_id == "AKID");
  CHECK(o.fuse.passthrough.empty());
}

TEST_CASE("the command line wins over the file, and leaves the rest alone", "[options]") {
  auto file = parse_config(
      "remote = \"s3://b\"\n[cache]\nsize = \"1G\"\ndir_ttl = \"5m\"\n"
      "[fuse]\nallow_other = true\numask = \"077\"\n",
      "f.toml", fake_env());
  REQUIRE(file.is_ok());
  Options o = *file;
  REQUIRE(apply_mount_options(o, "cache.size=2G,allow_other=false,umask=002").is_ok());
  CHECK(o.cache.max_bytes == 2ULL << 30);
  CHECK_FALSE(o.fuse.allow_other);
  CHECK(o.fuse.umask == std::optional<uint32_t>(002));
  CHECK(o.cache.dir_ttl == 300s);  // untouched
  // Within the command line, later wins too.
  REQUIRE(apply_mount_options(o, "cache.size=3G,cache.size=4G").is_ok());
  CHECK(o.cache.max_bytes == 4ULL << 30);
}

TEST_CASE("ro sets read-only, which rw never undoes but fuse.read_only=false does", "[options]") {
  Options o = defaults();
  REQUIRE(apply_mount_options(o, "ro").is_ok());
  CHECK(o.fuse.read_only);
  REQUIRE(apply_mount_options(o, "rw").is_ok());
  CHECK(o.fuse.read_only);
  REQUIRE(apply_mount_options(o, "fuse.read_only=false").is_ok());
  CHECK_FALSE(o.fuse.read_only);
  CHECK_THAT(apply_error("ro=1"), Catch::Contains("-o ro: takes no value"));
}

TEST_CASE("fstab's generic options are accepted and kernel flags go to libfuse", "[options]") {
  Options o = defaults();
  REQUIRE(apply_mount_options(o,
                              "defaults,rw,auto,noauto,user,nouser,users,owner,group,nofail,"
                              "_netdev,comment=systemd.automount,x-systemd.automount,"
                              "x-systemd.requires=network-online.target,x-gvfs-show,"
                              "nosuid,nodev,noexec,noatime,relatime,sync,fsname=photos,"
                              "subtype=autosync")
              .is_ok());
  CHECK(o.fuse.passthrough == std::vector<std::string>{"nosuid", "nodev", "noexec", "noatime",
                                                       "relatime", "sync", "fsname=photos",
                                                       "subtype=autosync"});
  CHECK_FALSE(o.fuse.read_only);
}

TEST_CASE("unknown and malformed options are errors that name the key", "[options]") {
  CHECK(apply_error("cache.sise=1G") == "-o cache.sise: unknown option (did you mean cache.size?)");
  CHECK(apply_error("allow_others") ==
        "-o allow_others: unknown option (did you mean fuse.allow_other?)");
  CHECK(apply_error("size=1G") == "-o size: unknown option (did you mean cache.size?)");
  CHECK(apply_error("frobnicate") == "-o frobnicate: unknown option");
  CHECK(apply_error("nosuid=1") == "-o nosuid: unknown option");
  CHECK_THAT(apply_error("cache.size=10 GB"), Catch::StartsWith("-o cache.size: size \"10 GB\""));
  CHECK_THAT(apply_error("cache.size"), Catch::StartsWith("-o cache.size: needs a value"));
  CHECK_THAT(apply_error("uid=bob"), Catch::StartsWith("-o uid: \"bob\" is not a whole number"));
  CHECK_THAT(apply_error("umask=999"), Catch::StartsWith("-o umask: mode \"999\""));
  CHECK_THAT(apply_error("allow_other=maybe"), Catch::StartsWith("-o allow_other: \"maybe\""));
  CHECK_THAT(apply_error("remote=ftp://x"), Catch::StartsWith("-o remote: remote ftp://x"));
  CHECK_THAT(apply_error("cache.dir=relative/dir"), Catch::Contains("is not absolute"));
  CHECK_THAT(apply_error("ro,sync.workers=0"), Catch::StartsWith("-o sync.workers: 0 is below"));
}

TEST_CASE("secrets on the command line only as env:NAME", "[options]") {
  for (const char* key : {"s3.secret_access_key", "s3.session_token", "azure.account_key",
                          "azure.sas_token", "azure.connection_string"}) {
    INFO(key);
    const std::string message = apply_error(std::string(key) + "=TopSecretValue");
    CHECK_THAT(message, Catch::StartsWith("-o " + std::string(key) + ": a secret on the command"));
    CHECK_THAT(message, Catch::Contains("env:NAME"));
    CHECK_THAT(message, !Catch::Contains("TopSecretValue"));
  }
  Options o = defaults();
  REQUIRE(apply_mount_options(o, "azure.sas_token=env:MY_SECRET").is_ok());
  CHECK(o.store.azure.sas_token == "from-env");
  CHECK_THAT(apply_error("azure.account_key=env:UNSET"),
             Catch::Contains("environment variable UNSET is not set"));
  // The access key id is no secret.
  REQUIRE(apply_mount_options(o, "s3.access_key_id=AKID").is_ok());
}

TEST_CASE("config= is for load_options, so here only the file already loaded passes", "[options]") {
  CHECK_THAT(apply_error("config=/etc/autosync/x.toml"),
             Catch::StartsWith("-o config: the config file must be read before"));
  Options o = defaults();
  o.config_file = "/etc/autosync/x.toml";
  CHECK(apply_mount_options(o, "config=/etc/autosync/x.toml,ro").is_ok());
  CHECK(o.fuse.read_only);
}

TEST_CASE("apply_option takes one key, for long flags", "[options]") {
  Options o = defaults();
  REQUIRE(apply_option(o, "cache.size", "5G").is_ok());
  CHECK(o.cache.max_bytes == 5ULL << 30);
  REQUIRE(apply_option(o, "allow_other", std::nullopt).is_ok());
  CHECK(o.fuse.allow_other);
  // The value is taken whole: no splitting on commas here.
  REQUIRE(apply_option(o, "cache.dir", "/srv/a,b").is_ok());
  CHECK(o.cache.dir == "/srv/a,b");
}
