#include "tests/cli/cli_fixture.h"

#include <signal.h>

#include "core/process/instance_lock.h"

namespace autosync::testing {

std::filesystem::path program(const std::string& name) {
  return std::filesystem::path(AUTOSYNC_BIN_DIR) / name;
}

CliFixture::CliFixture()
    : bucket(tmp.path() / "bucket"), mnt(tmp.path() / "mnt"), cache(tmp.path() / "cache") {
  std::filesystem::create_directories(bucket);
  std::filesystem::create_directories(mnt);
}

CliFixture::~CliFixture() {
  if (mounted()) (void)run({"/bin/fusermount3", "-u", "-z", mnt.string()});
  for (const auto& lock : {cache / "mount.lock", cache / "syncd.lock"}) {
    if (!process::InstanceLock::held(lock)) continue;
    if (auto pid = process::InstanceLock::holder(lock)) ::kill(*pid, SIGKILL);
  }
}

std::string CliFixture::cache_option() const {
  return "cache.dir=" + cache.string() + ",sync.idle_exit=1s";
}

std::vector<std::string> CliFixture::mount_command(const std::vector<std::string>& extra) const {
  std::vector<std::string> argv = {program("autosyncfs").string(), remote(), mnt.string(), "-o",
                                   cache_option()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

CommandResult CliFixture::mount(const std::vector<std::string>& extra,
                                const std::map<std::string, std::string>& env) const {
  return run(mount_command(extra), env);
}

CommandResult CliFixture::unmount() const {
  return run({"/bin/fusermount3", "-u", mnt.string()});
}

bool CliFixture::mounted() const {
  return mount_type(mnt).has_value();
}

bool CliFixture::syncd_running() const {
  return process::InstanceLock::held(cache / "syncd.lock");
}

std::optional<std::string> CliFixture::object(const std::string& key) const {
  const auto file = bucket / key;
  if (!std::filesystem::is_regular_file(file)) return std::nullopt;
  return read_file(file);
}

void CliFixture::put_by_hand(const std::string& key, const std::string& data) const {
  const auto staging = tmp.path() / "staging";
  write_file(staging, data);
  std::filesystem::create_directories((bucket / key).parent_path());
  std::filesystem::rename(staging, bucket / key);
}

bool CliFixture::object_is(const std::string& key, const std::string& content) const {
  return object(key) == content;
}

}  // namespace autosync::testing
