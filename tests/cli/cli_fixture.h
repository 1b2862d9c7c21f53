// CliFixture: a local bucket, a mountpoint and a cache directory in a temp dir, and the
// programs under test. The destructor unmounts (lazily, so a wedged mount cannot block it)
// and kills the autosyncfs and autosyncd that hold the cache's locks, by pid.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/cli/command.h"
#include "tests/support/syscalls.h"
#include "tests/support/temp_dir.h"

namespace autosync::testing {

std::filesystem::path program(const std::string& name);  // BUILD/bin/NAME

class CliFixture {
 public:
  CliFixture();
  ~CliFixture();
  CliFixture(const CliFixture&) = delete;
  CliFixture& operator=(const CliFixture&) = delete;

  // autosyncfs file://BUCKET MNT -o cache.dir=CACHE,sync.idle_exit=1s EXTRA...
  std::vector<std::string> mount_command(const std::vector<std::string>& extra = {}) const;
  CommandResult mount(const std::vector<std::string>& extra = {},
                      const std::map<std::string, std::string>& env = {}) const;
  CommandResult unmount() const;  // fusermount3 -u MNT
  bool mounted() const;
  bool syncd_running() const;

  // The bytes of BUCKET/KEY, or nullopt when there is no such object yet.
  std::optional<std::string> object(const std::string& key) const;
  bool object_is(const std::string& key, const std::string& content) const;
  // Writes BUCKET/KEY as another program would: a new file renamed into place (a new inode,
  // so the local backend derives a new ETag even for the same size within the same second).
  void put_by_hand(const std::string& key, const std::string& data) const;

  std::string remote() const { return "file://" + bucket.string(); }
  std::string cache_option() const;  // cache.dir=CACHE,sync.idle_exit=1s

  TempDir tmp;
  std::filesystem::path bucket, mnt, cache;
};

}  // namespace autosync::testing
