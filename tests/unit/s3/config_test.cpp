// s3::resolve: precedence of explicit settings, environment and the AWS shared files, named
// profiles, the addressing rule, and the errors for what cannot work.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "backends/s3/aws_profile.h"
#include "backends/s3/s3_config.h"

namespace autosync::backends::s3 {
namespace {

namespace fs = std::filesystem;

// A HOME directory of its own with ~/.aws/credentials and ~/.aws/config, and a made-up
// environment that points at it.
class FakeHome {
 public:
  FakeHome() {
    std::string tmpl = (fs::temp_directory_path() / "s3cfgXXXXXX").string();
    root_ = mkdtemp(tmpl.data());
    fs::create_directories(root_ / ".aws");
    env_["HOME"] = root_.string();
  }
  ~FakeHome() { fs::remove_all(root_); }
  FakeHome(const FakeHome&) = delete;
  FakeHome& operator=(const FakeHome&) = delete;

  void write(const std::string& name, const std::string& text) {
    std::ofstream(root_ / ".aws" / name) << text;
  }
  void set(const std::string& name, const std::string& value) { env_[name] = value; }
  fs::path path(const std::string& name) const { return root_ / ".aws" / name; }
  const fs::path& root() const { return root_; }
  EnvLookup env() const {
    return [vars = env_](std::string_view name) -> std::optional<std::string> {
      const auto it = vars.find(std::string(name));
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  }

 private:
  fs::path root_;
  std::map<std::string, std::string> env_;
};

S3Config bucket_config(std::string bucket = "my-bucket") {
  S3Config config;
  config.bucket = std::move(bucket);
  return config;
}

constexpr const char* kCredentialsFile =
    "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n"
    "\n# a comment\n[work]\nAWS_ACCESS_KEY_ID=WORKKEY\naws_secret_access_key=WORKSECRET\n"
    "aws_session_token = WORKTOKEN\n";
constexpr const char* kConfigFile =
    "[default]\nregion = eu-west-1\n\n[profile work]\nregion = ap-south-1\n"
    "endpoint_url = http://10.0.0.5:9000\nca_bundle = ~/certs/work.pem\n"
    "s3 =\n  addressing_style = path\n";

}  // namespace

TEST_CASE("config takes credentials from the profile files", "[s3config]") {
  FakeHome home;
  home.write("credentials", kCredentialsFile);
  home.write("config", kConfigFile);
  const auto config = resolve(bucket_config(), home.env());
  REQUIRE(config.is_ok());
  CHECK(config->credentials->access_key_id == "FILEKEY");
  CHECK(config->credentials->secret_access_key == "FILESECRET");
  CHECK(config->credentials->session_token.empty());
  CHECK(config->region == "eu-west-1");
  CHECK(config->profile == "default");
  CHECK(config->endpoint == "https://s3.eu-west-1.amazonaws.com");
  CHECK(config->addressing == Addressing::kVirtualHosted);
}

TEST_CASE("config precedence is explicit, then environment, then profile", "[s3config]") {
  FakeHome home;
  home.write("credentials", kCredentialsFile);
  home.set("AWS_ACCESS_KEY_ID", "ENVKEY");
  home.set("AWS_SECRET_ACCESS_KEY", "ENVSECRET");
  home.set("AWS_SESSION_TOKEN", "ENVTOKEN");
  SECTION("the environment beats the profile") {
    const auto config = resolve(bucket_config(), home.env());
    REQUIRE(config.is_ok());
    CHECK(config->credentials->access_key_id == "ENVKEY");
    CHECK(config->credentials->session_token == "ENVTOKEN");
  }
  SECTION("AWS_PROFILE does not beat the environment's keys") {
    home.set("AWS_PROFILE", "work");
    const auto config = resolve(bucket_config(), home.env());
    REQUIRE(config.is_ok());
    CHECK(config->credentials->access_key_id == "ENVKEY");
    CHECK(config->profile == "work");
  }
  SECTION("explicit credentials beat both") {
    S3Config explicit_config = bucket_config();
    explicit_config.credentials = Credentials{"MINE", "MYSECRET", ""};
    const auto config = resolve(explicit_config, home.env());
    REQUIRE(config.is_ok());
    CHECK(config->credentials->access_key_id == "MINE");
    CHECK(config->credentials->session_token.empty());
  }
  SECTION("an explicit profile beats the environment, like the CLI's --profile") {
    S3Config named = bucket_config();
    named.profile = "work";
    const auto config = resolve(named, home.env());
    REQUIRE(config.is_ok());
    CHECK(config->credentials->access_key_id == "WORKKEY");
    CHECK(config->credentials->session_token == "WORKTOKEN");
  }
}

TEST_CASE("config reads a named profile from both files", "[s3config]") {
  FakeHome home;
  home.write("credentials", kCredentialsFile);
  home.write("config", kConfigFile);
  home.set("AWS_PROFILE", "work");
  const auto config = resolve(bucket_config(), home.env());
  REQUIRE(config.is_ok());
  CHECK(config->credentials->access_key_id == "WORKKEY");
  CHECK(config->region == "ap-south-1");
  CHECK(config->endpoint == "http://10.0.0.5:9000");
  CHECK(config->addressing == Addressing::kPath);
  CHECK(config->ca_bundle == (home.root() / "certs/work.pem").string());
}

TEST_CASE("config honours the shared-file location variables", "[s3config]") {
  FakeHome home;
  home.write("elsewhere-creds", "[default]\naws_access_key_id=K2\naws_secret_access_key=S2\n");
  home.write("elsewhere-config", "[profile default]\nregion=us-west-2\n");
  home.set("AWS_SHARED_CREDENTIALS_FILE", home.path("elsewhere-creds").string());
  home.set("AWS_CONFIG_FILE", home.path("elsewhere-config").string());
  const auto config = resolve(bucket_config(), home.env());
  REQUIRE(config.is_ok());
  CHECK(config->credentials->access_key_id == "K2");
  CHECK(config->region == "us-west-2");
}

TEST_CASE("config explains missing or partial credentials", "[s3config]") {
  FakeHome home;
  SECTION("none anywhere: the message names where it looked") {
    const auto config = resolve(bucket_config(), home.env());
    REQUIRE_FALSE(config.is_ok());
    CHECK(config.status().kind() == ErrorKind::kInvalid);
    const std::string& message = config.status().message();
    CHECK_THAT(message, Catch::Contains("no S3 credentials found"));
    CHECK_THAT(message, Catch::Contains("AWS_ACCESS_KEY_ID"));
    CHECK_THAT(message, Catch::Contains("profile 'default'"));
    CHECK_THAT(message, Catch::Contains(home.path("credentials").string()));
  }
  SECTION("a key id without its secret") {
    home.set("AWS_ACCESS_KEY_ID", "HALF");
    const auto config = resolve(bucket_config(), home.env());
    REQUIRE_FALSE(config.is_ok());
    CHECK_THAT(config.status().message(), Catch::Contains("secret access key is not"));
  }
  SECTION("a named profile that does not exist") {
    home.write("credentials", kCredentialsFile);
    home.set("AWS_PROFILE", "nosuch");
    const auto config = resolve(bucket_config(), home.env());
    REQUIRE_FALSE(config.is_ok());
    CHECK_THAT(config.status().message(), Catch::Contains("profile 'nosuch' not found"));
  }
  SECTION("explicit credentials must be whole") {
    S3Config half = bucket_config();
    half.credentials = Credentials{"KEY", "", ""};
    CHECK_FALSE(resolve(half, home.env()).is_ok());
  }
}

TEST_CASE("config region precedence", "[s3config]") {
  FakeHome home;
  home.write("credentials", kCredentialsFile);
  home.write("config", kConfigFile);
  S3Config config = bucket_config();
  CHECK(resolve(config, home.env())->region == "eu-west-1");
  home.set("AWS_DEFAULT_REGION", "us-west-1");
  CHECK(resolve(config, home.env())->region == "us-west-1");
  home.set("AWS_REGION", "ca-central-1");
  CHECK(resolve(config, home.env())->region == "ca-central-1");
  config.region = "sa-east-1";
  CHECK(resolve(config, home.env())->region == "sa-east-1");
}

TEST_CASE("config preset defaults", "[s3config]") {
  FakeHome home;
  home.set("AWS_ACCESS_KEY_ID", "K");
  home.set("AWS_SECRET_ACCESS_KEY", "S");
  S3Config config = bucket_config();
  SECTION("AWS: us-east-1, regional endpoint, virtual-hosted") {
    const auto aws = resolve(config, home.env());
    REQUIRE(aws.is_ok());
    CHECK(aws->region == "us-east-1");
    CHECK(aws->endpoint == "https://s3.us-east-1.amazonaws.com");
    CHECK(aws->addressing == Addressing::kVirtualHosted);
  }
  SECTION("GCS: storage.googleapis.com, region auto, path-style") {
    config.preset = Preset::kGcs;
    const auto gcs = resolve(config, home.env());
    REQUIRE(gcs.is_ok());
    CHECK(gcs->region == "auto");
    CHECK(gcs->endpoint == "https://storage.googleapis.com");
    CHECK(gcs->addressing == Addressing::kPath);
  }
  SECTION("MinIO needs an endpoint and is path-style") {
    config.preset = Preset::kMinio;
    const auto missing = resolve(config, home.env());
    REQUIRE_FALSE(missing.is_ok());
    CHECK_THAT(missing.status().message(), Catch::Contains("needs an endpoint"));
    config.endpoint = "https://minio.example.com";
    const auto minio = resolve(config, home.env());
    REQUIRE(minio.is_ok());
    CHECK(minio->addressing == Addressing::kPath);
    CHECK(minio->region == "us-east-1");
  }
}

TEST_CASE("config endpoint precedence and the path-style rule", "[s3config]") {
  FakeHome home;
  home.set("AWS_ACCESS_KEY_ID", "K");
  home.set("AWS_SECRET_ACCESS_KEY", "S");
  S3Config config = bucket_config();
  home.set("AWS_ENDPOINT_URL", "https://generic.example.com/");
  auto resolved = resolve(config, home.env());
  REQUIRE(resolved.is_ok());
  CHECK(resolved->endpoint == "https://generic.example.com");
  CHECK(resolved->addressing == Addressing::kPath);  // a custom endpoint

  home.set("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000");
  resolved = resolve(config, home.env());
  REQUIRE(resolved.is_ok());
  CHECK(resolved->endpoint == "http://127.0.0.1:9000");
  CHECK(resolved->addressing == Addressing::kPath);  // an IP address

  config.endpoint = "HTTPS://S3.Example.COM:443";
  resolved = resolve(config, home.env());
  REQUIRE(resolved.is_ok());
  CHECK(resolved->endpoint == "https://s3.example.com");  // lower-cased, default port dropped
  CHECK(resolved->addressing == Addressing::kPath);

  config.addressing = Addressing::kVirtualHosted;  // the user may insist
  resolved = resolve(config, home.env());
  REQUIRE(resolved.is_ok());
  CHECK(resolved->addressing == Addressing::kVirtualHosted);
}

TEST_CASE("config keeps dotted or odd buckets path-style on AWS", "[s3config]") {
  FakeHome home;
  home.set("AWS_ACCESS_KEY_ID", "K");
  home.set("AWS_SECRET_ACCESS_KEY", "S");
  // TLS wildcard certificates cannot match "my.dotted.bucket.s3...".
  CHECK(resolve(bucket_config("my.dotted.bucket"), home.env())->addressing == Addressing::kPath);
  CHECK(resolve(bucket_config("Legacy_Bucket"), home.env())->addressing == Addressing::kPath);
  S3Config insist = bucket_config("Legacy_Bucket");
  insist.addressing = Addressing::kVirtualHosted;
  CHECK_FALSE(resolve(insist, home.env()).is_ok());
}

TEST_CASE("config rejects malformed endpoints and bucket names", "[s3config]") {
  FakeHome home;
  home.set("AWS_ACCESS_KEY_ID", "K");
  home.set("AWS_SECRET_ACCESS_KEY", "S");
  for (const char* endpoint : {"s3.example.com", "ftp://s3.example.com", "https://host/bucket",
                               "https://host:99999", "https://user:pw@host", "https://"}) {
    S3Config config = bucket_config();
    config.endpoint = endpoint;
    const auto resolved = resolve(config, home.env());
    INFO(endpoint);
    REQUIRE_FALSE(resolved.is_ok());
    CHECK(resolved.status().kind() == ErrorKind::kInvalid);
    CHECK_THAT(resolved.status().message(), Catch::Contains("malformed"));
  }
  for (const char* bucket : {"", "s3://my-bucket", "ab", "-leading", "has space"}) {
    const auto resolved = resolve(bucket_config(bucket), home.env());
    INFO(bucket);
    REQUIRE_FALSE(resolved.is_ok());
    CHECK_THAT(resolved.status().message(), Catch::Contains("bucket name"));
  }
}

TEST_CASE("config takes the CA bundle from the environment first", "[s3config]") {
  FakeHome home;
  home.write("credentials", kCredentialsFile);
  home.write("config", kConfigFile);
  home.set("AWS_PROFILE", "work");
  home.set("AWS_CA_BUNDLE", "/etc/ssl/corp.pem");
  CHECK(resolve(bucket_config(), home.env())->ca_bundle == "/etc/ssl/corp.pem");
  S3Config config = bucket_config();
  config.ca_bundle = "/mine.pem";
  CHECK(resolve(config, home.env())->ca_bundle == "/mine.pem");
}

TEST_CASE("profile parsing follows the two files' section styles", "[s3config]") {
  const std::string text =
      "; comment\n[default]\nregion=a\n[profile dev]\nRegion = b \ns3 =\n  region = nested\n"
      "[dev]\nregion = c\n[sso-session x]\nregion = d\n";
  CHECK(parse_profile(text, "default", ProfileFile::kConfig)->at("region") == "a");
  CHECK(parse_profile(text, "dev", ProfileFile::kConfig)->at("region") == "b");
  CHECK(parse_profile(text, "dev", ProfileFile::kCredentials)->at("region") == "c");
  CHECK_FALSE(parse_profile(text, "x", ProfileFile::kConfig).has_value());
  CHECK_FALSE(parse_profile(text, "missing", ProfileFile::kCredentials).has_value());
}

}  // namespace autosync::backends::s3
