// Crash loop: kill -9 of autosyncd or of autosyncfs at random moments during a stream of
// writes, overwrites and renames, many rounds with a fixed seed. After the last recovery
// every acknowledged write is on the store with the right content, nothing half-written is
// visible under a name, and the mount shows what the store holds.
//
// "Acknowledged" is what a program may rely on: close() returned 0 after its writes, rename()
// returned 0. An operation cut off by the kill may land or not, but only whole: a name holds
// its last acknowledged content or, when a write to it was cut off, part of that write.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "core/process/instance_lock.h"
#include "tests/cli/cli_fixture.h"

using namespace autosync::testing;
using autosync::process::InstanceLock;
using namespace std::chrono_literals;

namespace {

// What a name may hold on the store once everything settles.
struct Expectation {
  std::set<std::string> exact;     // any of these, byte for byte
  std::set<std::string> prefixes;  // or part of one of these (a write cut off: is_partial)
  bool may_be_absent = false;      // a create or rename cut off may not have happened
};

// What a write cut off may leave: no longer than the whole, each byte written or still zero
// (the kernel writes cached pages back in any order, so a crash can leave holes, as a local
// file system's crash can).
bool is_partial(const std::string& got, const std::string& full) {
  if (got.size() > full.size()) return false;
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != full[i] && got[i] != '\0') return false;
  }
  return true;
}

bool satisfies(const Expectation& e, const std::optional<std::string>& content) {
  if (!content) return e.may_be_absent;
  if (e.exact.contains(*content)) return true;
  return std::any_of(e.prefixes.begin(), e.prefixes.end(),
                     [&](const std::string& full) { return is_partial(*content, full); });
}

class Model {
 public:
  int round = 0;
  // A write of `content` to `name` finished (acknowledged) or was cut off.
  void wrote(const std::string& name, const std::string& content, bool acknowledged) {
    note(name, "round " + std::to_string(round) + " write " + std::to_string(content.size()) +
                   (acknowledged ? " ok" : " cut off"));
    auto& e = names_[name];
    if (acknowledged) {
      e = Expectation{.exact = {content}, .prefixes = {}, .may_be_absent = false};
      return;
    }
    if (e.exact.empty()) e.may_be_absent = true;  // a cut-off create
    e.prefixes.insert(content);
  }
  void renamed(const std::string& from, const std::string& to, bool acknowledged) {
    const std::string outcome = acknowledged ? " ok" : " cut off";
    note(from, "round " + std::to_string(round) + " renamed to " + to + outcome);
    note(to, "round " + std::to_string(round) + " renamed from " + from + outcome + " [" +
                 history(from) + "]");
    auto it = names_.find(from);
    if (it == names_.end()) return;
    Expectation moved = it->second;
    if (acknowledged) {
      names_.erase(it);
      names_[to] = moved;
      return;
    }
    it->second.may_be_absent = true;  // it may be at either name now
    moved.may_be_absent = true;
    names_[to] = moved;
  }
  // Names whose content is settled (acknowledged), to pick rename and overwrite targets.
  std::vector<std::string> settled() const {
    std::vector<std::string> out;
    for (const auto& [name, e] : names_) {
      if (e.exact.size() == 1 && e.prefixes.empty() && !e.may_be_absent) out.push_back(name);
    }
    return out;
  }
  const std::map<std::string, Expectation>& names() const { return names_; }
  // What happened to `name`, for failure messages: "write 12 ok, rename->r40 cut off, ...".
  std::string history(const std::string& name) const {
    const auto it = history_.find(name);
    return it == history_.end() ? "(never used)" : it->second;
  }
  void note(const std::string& name, const std::string& what) { history_[name] += what + "; "; }

 private:
  std::map<std::string, Expectation> names_;
  std::map<std::string, std::string> history_;
};

std::string content_for(std::mt19937& rng, int serial) {
  // Mostly small files; now and then one past the multipart threshold.
  const size_t size = rng() % 10 == 0 ? (9u << 20) + rng() % 4096 : rng() % (256u << 10);
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i)
    bytes[i] = static_cast<char>('a' + (i * 7 + serial) % 26);
  return "serial " + std::to_string(serial) + "\n" + bytes;
}

// Writes `content` to `path` with O_TRUNC; true only when every call succeeded.
bool write_through(const std::filesystem::path& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (fd < 0) return false;
  size_t done = 0;
  bool ok = true;
  while (ok && done < content.size()) {
    const size_t chunk = std::min<size_t>(content.size() - done, 64u << 10);
    const ssize_t n = ::pwrite(fd, content.data() + done, chunk, static_cast<off_t>(done));
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  return ::close(fd) == 0 && ok;
}

// Uploads start at once; files from 8 MiB go multipart, so kills hit multipart uploads too.
const std::vector<std::string> kMountOptions = {
    "-o", "sync.writeback_delay=0s,sync.multipart_threshold=8M,sync.part_size=5M"};

std::optional<pid_t> holder(const CliFixture& f, const char* lock) {
  return InstanceLock::holder(f.cache / lock);
}

// Runs operations on the mount until `stop` is set or the mount dies.
void operate(const CliFixture& f, std::mt19937& rng, int& serial, Model& model,
             const std::atomic<bool>& stop) {
  while (!stop.load()) {
    const auto settled = model.settled();
    const unsigned pick = rng() % 10;
    if (pick < 2 && !settled.empty()) {
      const std::string from = settled[rng() % settled.size()];
      const std::string to = "r" + std::to_string(serial++) + ".bin";
      const bool ok = ::rename((f.mnt / from).c_str(), (f.mnt / to).c_str()) == 0;
      model.renamed(from, to, ok);
      if (!ok) return;
    } else {
      const bool overwrite = pick < 4 && !settled.empty();
      const std::string name =
          overwrite ? settled[rng() % settled.size()] : "w" + std::to_string(serial) + ".bin";
      const std::string content = content_for(rng, serial++);
      const bool ok = write_through(f.mnt / name, content);
      model.wrote(name, content, ok);
      if (!ok) return;
    }
  }
}

void remount_after_crash(const CliFixture& f) {
  REQUIRE(eventually([&] { return !InstanceLock::held(f.cache / "mount.lock"); }));
  REQUIRE(run({"/bin/fusermount3", "-u", "-z", f.mnt.string()}).exit_code == 0);
  const auto mounted = f.mount(kMountOptions);
  INFO(mounted.err);
  REQUIRE(mounted.exit_code == 0);
}

std::map<std::string, std::string> objects_in(const std::filesystem::path& bucket) {
  std::map<std::string, std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(bucket)) {
    const auto name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.starts_with(".")) continue;
    // The daemon may move or remove it between the listing and the read.
    if (auto bytes = read_if_there(entry.path())) out[name] = std::move(*bytes);
  }
  return out;
}

// "name1|name2|...": the names at the start of each problem line, for grep -E.
std::string trouble_pattern(const std::string& problems) {
  std::string pattern;
  size_t start = 0;
  while (start < problems.size()) {
    const size_t end = problems.find('\n', start);
    const std::string line = problems.substr(start, end - start);
    const size_t colon = line.find(':');
    if (colon != std::string::npos && colon > 0)
      pattern += (pattern.empty() ? "" : "|") + line.substr(0, colon);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return pattern.empty() ? "^$" : pattern;
}

}  // namespace

TEST_CASE("kill -9 of the daemon or the mount at random moments loses no acknowledged write",
          "[cli][crash]") {
  CliFixture f;
  REQUIRE(f.mount(kMountOptions).exit_code == 0);
  std::mt19937 rng(20261122);
  Model model;
  int serial = 0;
  constexpr int kRounds = 12;
  for (int round = 0; round < kRounds; ++round) {
    const bool kill_mount = round % 2 == 1;
    REQUIRE(eventually([&] { return f.syncd_running() && f.mounted(); }));
    // A process that has just taken its lock writes its pid into the file a moment later.
    std::optional<pid_t> victim;
    REQUIRE(eventually([&] {
      victim = holder(f, kill_mount ? "mount.lock" : "syncd.lock");
      return victim.has_value();
    }));
    std::atomic<bool> stop{false};
    const auto delay = std::chrono::milliseconds(50 + rng() % 700);
    std::jthread killer([&, pid = *victim] {
      std::this_thread::sleep_for(delay);
      ::kill(pid, SIGKILL);
      // The daemon's death does not stop the writer; let it go on a little, then stop.
      std::this_thread::sleep_for(300ms);
      stop.store(true);
    });
    operate(f, rng, serial, model, stop);
    killer.join();
    if (kill_mount) remount_after_crash(f);
    model.round = round + 1;
  }
  INFO("operations: " << serial << ", names: " << model.names().size());

  // Everything settles: every name as the model allows, on the store and in the mount, and
  // nothing on the store the model does not know.
  const auto consistent = [&] {
    const auto stored = objects_in(f.bucket);
    for (const auto& [name, e] : model.names()) {
      const auto it = stored.find(name);
      if (!satisfies(e, it == stored.end() ? std::nullopt : std::optional(it->second)))
        return false;
    }
    for (const auto& [name, content] : stored) {
      if (!model.names().contains(name) || read_if_there(f.mnt / name) != content) return false;
    }
    return true;
  };
  CHECK(eventually(consistent, 90s));
  // No multipart upload a kill cut off keeps parts on the store: the next daemon resumed it
  // or aborted it. (The local backend stages an upload in .autosync-tmp/uploads/ID/, its
  // parts as part-NNNNN.) A kill between the create and its record in the index leaves an
  // upload with no parts, which costs no storage: the daemon records an upload before it
  // sends any part.
  const auto staged_parts = [&] {
    long parts = 0;
    std::error_code ec;
    for (const auto& upload :
         std::filesystem::directory_iterator(f.bucket / ".autosync-tmp" / "uploads", ec)) {
      for (const auto& file : std::filesystem::directory_iterator(upload.path(), ec))
        parts += file.path().filename().string().starts_with("part-") ? 1 : 0;
    }
    return parts;
  };
  const bool no_parts_left = eventually([&] { return staged_parts() == 0; }, 30s);
  if (!no_parts_left) {
    INFO("staged:\n" + run({"/bin/sh", "-c",
                            "cd " + (f.bucket / ".autosync-tmp" / "uploads").string() +
                                " && for d in *; do echo $d $(cat $d/upload.json | head -c 80)"
                                " $(ls $d | tr '\\n' ' '); done"})
                           .out);
    INFO("recorded:\n" + run({"/usr/bin/sqlite3", "-readonly", (f.cache / "index.db").string(),
                              "SELECT * FROM multipart_uploads; SELECT * FROM multipart_parts;"
                              " SELECT seq, op, ino, key, gen, state FROM journal"})
                             .out);
    INFO("log:\n" + run({"/bin/sh", "-c",
                         "grep -hiE 'multipart|resum' " + (f.cache / "autosyncd.log*").string() +
                             " | tail -n 40"})
                        .out);
    CHECK(no_parts_left);
  }
  std::string problems;
  const auto stored = objects_in(f.bucket);
  const auto describe = [](const std::optional<std::string>& c) {
    return c ? std::to_string(c->size()) + " bytes, " + c->substr(0, c->find('\n')) : "absent";
  };
  for (const auto& [name, e] : model.names()) {
    const auto it = stored.find(name);
    const auto content = it == stored.end() ? std::nullopt : std::optional(it->second);
    if (!satisfies(e, content)) {
      problems += name + ": store " + describe(content) + "; " + model.history(name) + "\n";
    }
  }
  for (const auto& [name, content] : stored) {
    std::error_code ec;
    const bool in_mount = std::filesystem::exists(f.mnt / name, ec);
    if (!model.names().contains(name)) {
      problems += name + ": on the store (" + describe(content) + ") but not expected" +
                  (in_mount ? "" : ", not in the mount") + "; " + model.history(name) + "\n";
    } else if (!in_mount || read_if_there(f.mnt / name) != content) {
      problems += name + ": the mount differs from the store; " + model.history(name) + "\n";
    }
  }
  if (!problems.empty()) {  // what the daemon did with the names in trouble
    problems +=
        "autosyncd.log:\n" + run({"/bin/sh", "-c",
                                  "grep -hE '" + trouble_pattern(problems) + "' " +
                                      (f.cache / "autosyncd.log*").string() + " | tail -n 40"})
                                 .out;
  }
  if (!problems.empty() && std::filesystem::exists("/usr/bin/sqlite3")) {
    problems +=
        "journal:\n" + run({"/usr/bin/sqlite3", "-readonly", (f.cache / "index.db").string(),
                            "SELECT seq, op, ino, key, src_key, gen, state, attempts, "
                            "last_error FROM journal; SELECT ino, local_gen, synced_gen, "
                            "remote_key, remote_etag, size FROM inodes WHERE kind = 1"})
                           .out;
  }
  INFO(problems);
  CHECK(problems.empty());
  REQUIRE(f.unmount().exit_code == 0);
}
