// Two-way sync between two mounts with caches of their own on one bucket, on s3rver and on
// azurite: changes made in one mount appear in the other; edits of the same file on both,
// while both are online and while one is offline, end as the conflict policy says with
// nothing lost; and after a quiet period both trees and the bucket hold the same files with
// the same bytes (sha256 of each).
//
// Client alpha (priority 20) reaches the server directly; client beta (priority 10) through a
// TcpForwarder the test cuts to take beta alone offline. Files named newest* resolve
// conflicts by the newest policy, priority* by the priority policy, the rest keep both.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/cli/ctl_util.h"
#include "tests/cli/two_client_util.h"

using namespace autosync::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct S3rver {
  static constexpr ServerKind kKind = ServerKind::kS3rver;
};
struct Azurite {
  static constexpr ServerKind kKind = ServerKind::kAzurite;
};

constexpr auto kSeen = 20s;  // for one client's change to show in the other mount

// A server, its bucket and two mounts on it.
class TwoClients {
 public:
  explicit TwoClients(ServerKind kind)
      : bucket(SharedBucket::start(kind)), forwarder(bucket->server().port()) {
    alpha.host = "alpha";
    alpha.priority = 20;
    beta.host = "beta";
    beta.priority = 10;
    alpha.mount(*bucket, bucket->server().endpoint());
    beta.mount(*bucket, forwarder.endpoint());
  }
  ~TwoClients() {
    forwarder.restore();  // so the daemons can finish and leave
  }
  TwoClients(const TwoClients&) = delete;
  TwoClients& operator=(const TwoClients&) = delete;

  void unmount_both() {
    alpha.unmount();
    beta.unmount();
  }

  std::unique_ptr<SharedBucket> bucket;
  TcpForwarder forwarder;
  Client alpha, beta;
};

// Waits for `path` in `client` to hold `content` (nullopt: to be gone). Also where the name is
// already there: s3rver may list a new object before it serves it (TEST-SERVERS.md), and a
// read of it then fails until the watcher's next listing.
bool shows(const Client& client, const std::string& path,
           const std::optional<std::string>& content) {
  return eventually([&] { return read_if_there(client / path) == content; }, kSeen);
}

void flush(const Client& client) {
  const auto flushed = client.ctl("flush", {"--timeout", "60s"});
  INFO(client.host << " flush: " << flushed.out << flushed.err);
  CHECK(flushed.exit_code == 0);
}

// Flushes both, then waits for both trees and the bucket to hold the same files and
// directories with the same bytes. Each side is read afresh on every try.
void check_converged(TwoClients& t) {
  flush(t.alpha);
  flush(t.beta);
  Snapshot in_alpha, in_beta, in_bucket;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  do {
    in_bucket = snapshot_bucket(t.bucket->store());
    in_alpha = snapshot_tree(t.alpha.dirs.mnt);
    in_beta = snapshot_tree(t.beta.dirs.mnt);
    if (in_alpha == in_bucket && in_beta == in_bucket) break;
    std::this_thread::sleep_for(300ms);
  } while (std::chrono::steady_clock::now() < deadline);
  CHECK(in_alpha == in_bucket);
  CHECK(in_beta == in_bucket);
  CHECK_FALSE(in_bucket.empty());
}

// The one conflict copy of DIR/STEM.EXT that `host` made, as "DIR/NAME" ("" if none or many).
std::string conflict_copy(const Client& client, const std::string& dir, const std::string& stem,
                          const std::string& ext, const std::string& host) {
  const auto names = names_like(client / dir, stem + ".conflict-", "-" + host + ext);
  return names.size() == 1 ? dir + "/" + names[0] : "";
}

// Which runs of `read` come from `old_version` and which from `new_version`.
std::string describe_mix(const std::string& read, const std::string& old_version,
                         const std::string& new_version) {
  std::string out = "read " + std::to_string(read.size()) + " bytes (old " +
                    std::to_string(old_version.size()) + ", new " +
                    std::to_string(new_version.size()) + "):";
  char run = 0;
  for (size_t i = 0; i <= read.size(); ++i) {
    char here = '?';
    if (i == read.size()) {
      here = 0;
    } else if (i < new_version.size() && read[i] == new_version[i]) {
      here = 'N';
    } else if (i < old_version.size() && read[i] == old_version[i]) {
      here = 'O';
    } else if (read[i] == '\0') {
      here = 'Z';
    }
    if (here != run) {
      if (here != 0) out += " " + std::string(1, here) + "@" + std::to_string(i);
      run = here;
    }
  }
  return out;
}

void set_mtime(const fs::path& path, fs::file_time_type when) {
  fs::last_write_time(path, when);
}

}  // namespace

TEMPLATE_TEST_CASE("two mounts see each other's creates, overwrites, renames and deletes",
                   "[cli][twoclient]", S3rver, Azurite) {
  TwoClients t(TestType::kKind);
  fs::create_directories(t.alpha / "a/dir");
  write_file(t.alpha / "a/one.txt", "one, from alpha");
  write_file(t.alpha / "a/dir/inner.txt", "inner, from alpha");
  CHECK(shows(t.beta, "a/one.txt", "one, from alpha"));
  CHECK(shows(t.beta, "a/dir/inner.txt", "inner, from alpha"));

  write_file(t.beta / "a/one.txt", "one, overwritten by beta");
  write_file(t.beta / "a/from-beta.txt", "created by beta");
  CHECK(shows(t.alpha, "a/one.txt", "one, overwritten by beta"));
  CHECK(shows(t.alpha, "a/from-beta.txt", "created by beta"));

  // A file rename each way, then a directory rename each way.
  fs::rename(t.alpha / "a/one.txt", t.alpha / "a/uno.txt");
  CHECK(shows(t.beta, "a/uno.txt", "one, overwritten by beta"));
  CHECK(shows(t.beta, "a/one.txt", std::nullopt));
  fs::rename(t.beta / "a/from-beta.txt", t.beta / "a/renamed-by-beta.txt");
  CHECK(shows(t.alpha, "a/renamed-by-beta.txt", "created by beta"));
  CHECK(shows(t.alpha, "a/from-beta.txt", std::nullopt));
  fs::rename(t.alpha / "a/dir", t.alpha / "a/moved");
  CHECK(shows(t.beta, "a/moved/inner.txt", "inner, from alpha"));
  CHECK(shows(t.beta, "a/dir/inner.txt", std::nullopt));
  CHECK(eventually([&] { return !fs::exists(t.beta / "a/dir"); }, kSeen));
  fs::rename(t.beta / "a/moved", t.beta / "a/moved-again");
  CHECK(shows(t.alpha, "a/moved-again/inner.txt", "inner, from alpha"));
  CHECK(eventually([&] { return !fs::exists(t.alpha / "a/moved"); }, kSeen));

  // Deletes each way.
  fs::remove(t.beta / "a/uno.txt");
  CHECK(shows(t.alpha, "a/uno.txt", std::nullopt));
  fs::remove(t.alpha / "a/renamed-by-beta.txt");
  CHECK(shows(t.beta, "a/renamed-by-beta.txt", std::nullopt));
  check_converged(t);
  t.unmount_both();
}

TEMPLATE_TEST_CASE("both mounts online edit the same file: the policy decides, nothing is lost",
                   "[cli][twoclient]", S3rver, Azurite) {
  TwoClients t(TestType::kKind);
  fs::create_directories(t.alpha / "b");
  for (const char* name : {"b/keep.txt", "b/newest.txt", "b/priority.txt"})
    write_file(t.alpha / name, "the base version");
  for (const char* name : {"b/keep.txt", "b/newest.txt", "b/priority.txt"})
    REQUIRE(shows(t.beta, name, "the base version"));

  // Neither uploads until both have edited: each edit is based on the base version.
  REQUIRE(t.alpha.ctl("pause").exit_code == 0);
  REQUIRE(t.beta.ctl("pause").exit_code == 0);
  for (const char* name : {"b/keep.txt", "b/newest.txt", "b/priority.txt"}) {
    write_file(t.alpha / name, std::string("alpha's edit of ") + name);
    write_file(t.beta / name, std::string("beta's edit of ") + name);
  }
  // Both create the same new name.
  write_file(t.alpha / "b/new-on-both.txt", "alpha's new file");
  write_file(t.beta / "b/new-on-both.txt", "beta's new file");
  // newest: beta's edit is an hour newer than alpha's, though alpha uploads first.
  set_mtime(t.alpha / "b/newest.txt", fs::file_time_type::clock::now() - 1h);
  REQUIRE(t.alpha.ctl("resume").exit_code == 0);
  flush(t.alpha);
  REQUIRE(t.beta.ctl("resume").exit_code == 0);
  flush(t.beta);

  // keep-both: the first upload keeps the name, the second becomes beta's conflict copy.
  for (const Client* c : {&t.alpha, &t.beta}) {
    INFO("in " << c->host);
    CHECK(shows(*c, "b/keep.txt", "alpha's edit of b/keep.txt"));
    std::string copy;
    CHECK(eventually(
        [&] { return !(copy = conflict_copy(*c, "b", "keep", ".txt", "beta")).empty(); }, kSeen));
    CHECK(shows(*c, copy, "beta's edit of b/keep.txt"));
    CHECK(object_body(t.bucket->store(), copy) == "beta's edit of b/keep.txt");
    // newest: beta's later edit wins; priority: alpha's higher priority wins.
    CHECK(shows(*c, "b/newest.txt", "beta's edit of b/newest.txt"));
    CHECK(shows(*c, "b/priority.txt", "alpha's edit of b/priority.txt"));
    CHECK(names_like(*c / "b", "newest.conflict-", "").empty());
    CHECK(names_like(*c / "b", "priority.conflict-", "").empty());
    CHECK(shows(*c, "b/new-on-both.txt", "alpha's new file"));
    CHECK(eventually(
        [&] { return !(copy = conflict_copy(*c, "b", "new-on-both", ".txt", "beta")).empty(); },
        kSeen));
    CHECK(shows(*c, copy, "beta's new file"));
  }
  // beta met every conflict, against alpha's versions, and recorded each with its policy.
  std::map<std::string, std::string> policies;
  for (const auto& conflict : json_of(t.beta.ctl("conflicts", {"--all", "--json"}))) {
    policies[conflict["path"]] = conflict["policy"];
    CHECK(conflict["remote"]["host"] == "alpha");
  }
  CHECK(policies == std::map<std::string, std::string>{{"b/keep.txt", "keep-both"},
                                                       {"b/new-on-both.txt", "keep-both"},
                                                       {"b/newest.txt", "newest"},
                                                       {"b/priority.txt", "priority"}});
  CHECK(json_of(t.alpha.ctl("conflicts", {"--all", "--json"})) == nlohmann::json::array());
  CHECK(object_body(t.bucket->store(), "b/keep.txt") == "alpha's edit of b/keep.txt");
  CHECK(object_body(t.bucket->store(), "b/newest.txt") == "beta's edit of b/newest.txt");
  CHECK(object_body(t.bucket->store(), "b/priority.txt") == "alpha's edit of b/priority.txt");
  check_converged(t);
  t.unmount_both();
}

TEMPLATE_TEST_CASE("edits made while one mount is offline all survive its return",
                   "[cli][twoclient]", S3rver, Azurite) {
  TwoClients t(TestType::kKind);
  fs::create_directories(t.alpha / "c/dir");
  fs::create_directories(t.alpha / "c/doomed-dir");
  const std::vector<std::string> base = {
      "c/shared.txt",        "c/alpha-deletes.txt", "c/beta-deletes.txt",  "c/priority.txt",
      "c/alpha-renames.txt", "c/dir/old.txt",       "c/doomed-dir/old.txt"};
  for (const auto& name : base)
    write_file(t.alpha / name, "the base version");
  for (const auto& name : base)
    REQUIRE(shows(t.beta, name, "the base version"));

  t.forwarder.cut();
  // alpha, online: edits, deletes and creates; all of it reaches the store.
  write_file(t.alpha / "c/shared.txt", "alpha's online edit");
  write_file(t.alpha / "c/beta-deletes.txt", "alpha's edit of a file beta deletes");
  write_file(t.alpha / "c/priority.txt", "alpha's online edit");
  fs::remove(t.alpha / "c/alpha-deletes.txt");
  write_file(t.alpha / "c/from-alpha.txt", "created by alpha meanwhile");
  fs::rename(t.alpha / "c/alpha-renames.txt", t.alpha / "c/renamed-by-alpha.txt");
  write_file(t.alpha / "c/dir/added.txt", "added by alpha to a directory beta renames");
  fs::remove_all(t.alpha / "c/doomed-dir");
  flush(t.alpha);
  // beta, offline: the same files, and new ones.
  write_file(t.beta / "c/shared.txt", "beta's offline edit");
  write_file(t.beta / "c/alpha-deletes.txt", "beta's edit of a file alpha deletes");
  write_file(t.beta / "c/priority.txt", "beta's offline edit");
  fs::remove(t.beta / "c/beta-deletes.txt");
  fs::create_directories(t.beta / "c/made-offline");
  write_file(t.beta / "c/made-offline/note.txt", "written offline by beta");
  write_file(t.beta / "c/alpha-renames.txt", "beta's edit of a file alpha renames");
  fs::rename(t.beta / "c/dir", t.beta / "c/dir-renamed");
  write_file(t.beta / "c/doomed-dir/new.txt", "beta's new file in a directory alpha removes");
  CHECK(t.beta.ctl("flush", {"--timeout", "1s"}).exit_code == 1);  // nothing got through
  CHECK_FALSE(object_body(t.bucket->store(), "c/made-offline/note.txt").has_value());

  t.forwarder.restore();
  flush(t.beta);
  for (const Client* c : {&t.alpha, &t.beta}) {
    INFO("in " << c->host);
    CHECK(shows(*c, "c/shared.txt", "alpha's online edit"));
    std::string copy;
    CHECK(eventually(
        [&] { return !(copy = conflict_copy(*c, "c", "shared", ".txt", "beta")).empty(); }, kSeen));
    CHECK(shows(*c, copy, "beta's offline edit"));
    // A modification beats a deletion, whichever side deleted.
    CHECK(shows(*c, "c/alpha-deletes.txt", "beta's edit of a file alpha deletes"));
    CHECK(shows(*c, "c/beta-deletes.txt", "alpha's edit of a file beta deletes"));
    CHECK(shows(*c, "c/priority.txt", "alpha's online edit"));
    CHECK(shows(*c, "c/from-alpha.txt", "created by alpha meanwhile"));
    CHECK(shows(*c, "c/made-offline/note.txt", "written offline by beta"));
    // A rename here and an edit there: the renamed file, and the edit under the old name.
    CHECK(shows(*c, "c/renamed-by-alpha.txt", "the base version"));
    CHECK(shows(*c, "c/alpha-renames.txt", "beta's edit of a file alpha renames"));
    CHECK(shows(*c, "c/dir-renamed/old.txt", "the base version"));
    CHECK(shows(*c, "c/doomed-dir/new.txt", "beta's new file in a directory alpha removes"));
  }
  // The file alpha added to the directory beta renamed is in one of the two, not lost.
  const auto added = [&] {
    for (const char* path : {"c/dir/added.txt", "c/dir-renamed/added.txt"}) {
      if (object_body(t.bucket->store(), path) == "added by alpha to a directory beta renames")
        return true;
    }
    return false;
  };
  CHECK(added());
  check_converged(t);
  t.unmount_both();
}

// Azurite only: s3rver ignores If-Match, so two HEAD-then-PUT uploads can both pass their
// check before either writes (the second overwrites the first: AutoSync cannot see it), and
// two PUTs of one key at once can leave a mix of both bodies in its store ("beta's editt"
// from "alpha's edit" and "beta's edit"; reproduced with two plain curl PUTs).
TEMPLATE_TEST_CASE("both mounts upload their edits of the same files at the same moment",
                   "[cli][twoclient]", Azurite) {
  TwoClients t(TestType::kKind);
  fs::create_directories(t.alpha / "e");
  constexpr int kFiles = 6;
  const auto name = [](int i) { return "e/race-" + std::to_string(i) + ".txt"; };
  for (int i = 0; i < kFiles; ++i)
    write_file(t.alpha / name(i), "the base version");
  for (int i = 0; i < kFiles; ++i)
    REQUIRE(shows(t.beta, name(i), "the base version"));
  REQUIRE(t.alpha.ctl("pause").exit_code == 0);
  REQUIRE(t.beta.ctl("pause").exit_code == 0);
  for (int i = 0; i < kFiles; ++i) {
    write_file(t.alpha / name(i), "alpha's edit");
    write_file(t.beta / name(i), "beta's edit");
  }
  int resumed_alpha = -1, resumed_beta = -1;  // Catch2 assertions stay on this thread
  {
    std::jthread a([&] { resumed_alpha = t.alpha.ctl("resume").exit_code; });
    std::jthread b([&] { resumed_beta = t.beta.ctl("resume").exit_code; });
  }
  CHECK(resumed_alpha == 0);
  CHECK(resumed_beta == 0);
  flush(t.alpha);
  flush(t.beta);
  check_converged(t);
  // Each file: one edit under the name, the other as a conflict copy; both edits kept.
  for (int i = 0; i < kFiles; ++i) {
    INFO(name(i));
    const auto at_name = object_body(t.bucket->store(), name(i));
    std::vector<std::string> all;
    if (at_name) all.push_back(*at_name);
    for (const auto& copy :
         names_like(t.alpha / "e", "race-" + std::to_string(i) + ".conflict-", ".txt"))
      all.push_back(object_body(t.bucket->store(), "e/" + copy).value_or("(none)"));
    std::sort(all.begin(), all.end());
    CHECK(all == std::vector<std::string>{"alpha's edit", "beta's edit"});
  }
  t.unmount_both();
}

TEMPLATE_TEST_CASE("a file held open in one mount while the other changes it keeps both edits",
                   "[cli][twoclient]", S3rver, Azurite) {
  TwoClients t(TestType::kKind);
  fs::create_directories(t.alpha / "f");
  write_file(t.alpha / "f/open.txt", "the base version");
  REQUIRE(shows(t.beta, "f/open.txt", "the base version"));
  {
    // beta opens the file; alpha's edit reaches the store and beta's watcher, which leaves
    // an open file alone; beta then writes through its descriptor, based on the old version.
    const auto fd = open_or_fail(t.beta / "f/open.txt", O_RDWR);
    write_file(t.alpha / "f/open.txt", "alpha's edit, made while beta has the file open");
    flush(t.alpha);
    std::this_thread::sleep_for(1500ms);  // several of beta's polls
    CHECK(pread_some(fd.get(), 64, 0) == "the base version");
    REQUIRE(::ftruncate(fd.get(), 0) == 0);
    pwrite_all(fd.get(), "beta's edit through its open descriptor", 0);
  }
  flush(t.beta);
  for (const Client* c : {&t.alpha, &t.beta}) {
    INFO("in " << c->host);
    CHECK(shows(*c, "f/open.txt", "alpha's edit, made while beta has the file open"));
    std::string copy;
    const bool copied = eventually(
        [&] { return !(copy = conflict_copy(*c, "f", "open", ".txt", "beta")).empty(); }, kSeen);
    if (!copied) {  // what beta's daemon did with the file
      INFO(run({"/bin/sh", "-c",
                "grep -h 'open' " + (t.beta.dirs.cache / "autosyncd.log").string() +
                    " | tail -n 30"})
               .out);
      CHECK(copied);
    }
    CHECK(shows(*c, copy, "beta's edit through its open descriptor"));
  }
  check_converged(t);
  t.unmount_both();
}

TEMPLATE_TEST_CASE("a partly cached file changed by the other mount reads whole, never mixed",
                   "[cli][twoclient]", S3rver, Azurite) {
  TwoClients t(TestType::kKind);
  fs::create_directories(t.alpha / "g");
  const auto pattern = [](char first, size_t size) {
    std::string out(size, '\0');
    for (size_t i = 0; i < size; ++i)
      out[i] = static_cast<char>(first + static_cast<char>(i % 23));
    return out;
  };
  const std::string v1 = pattern('a', 3 << 20), v2 = pattern('A', 3 << 20),
                    v3 = pattern('0', (2 << 20) + 123);
  write_file(t.alpha / "g/big.bin", v1);
  flush(t.alpha);
  // (s3rver has been seen listing an object just written with size 0 for a moment.)
  REQUIRE(eventually(
      [&] {
        std::error_code error;
        return fs::file_size(t.beta / "g/big.bin", error) == v1.size();
      },
      kSeen));
  const std::string* current = &v1;
  for (const std::string* next : {&v2, &v3}) {
    const std::string& before = *current;
    current = next;
    {
      // beta caches a little of the file only.
      const auto fd = open_or_fail(t.beta / "g/big.bin", O_RDONLY);
      CHECK(pread_some(fd.get(), 4096, 1 << 20) == before.substr(1 << 20, 4096));
    }
    write_file(t.alpha / "g/big.bin", *next);
    flush(t.alpha);
    // Every whole read in beta is one version or the other, never a mix. Until beta has
    // seen the change, bytes beta never cached are of a version the store no longer has:
    // that read fails (EIO) rather than mix in the new version's bytes. When the file then
    // gets a new kernel inode, an open racing that can fail ESTALE (docs/ARCHITECTURE.md).
    std::string mix;  // how the first mixed read looked
    CHECK(eventually(
        [&] {
          const auto now = read_whole(t.beta / "g/big.bin");
          const bool refused = now.error == EIO || now.error == ESTALE;
          if (mix.empty() && !now.bytes && !refused) mix = errno_name(now.error);
          if (mix.empty() && now.bytes && *now.bytes != before && *now.bytes != *next)
            mix = describe_mix(*now.bytes, before, *next);
          return now.bytes == *next;
        },
        kSeen));
    CHECK(mix == "");
  }
  check_converged(t);
  t.unmount_both();
}
