// Conflict policies and names: parsing sync.conflict_policy / sync.conflict_rules, which
// rule applies to a path, conflict-copy names (extension kept, never a copy of a copy).
#include "syncd/conflict_policy.h"

#include <catch2/catch.hpp>

#include "core/config/config.h"

namespace autosync::syncd {
namespace {

// 2026-11-22 04:30:00 UTC
constexpr int64_t kTime = 1'795'321'800LL * 1'000'000'000LL;

TEST_CASE("policy names parse both ways and unknown ones are refused") {
  for (auto policy : {ConflictPolicy::kKeepBoth, ConflictPolicy::kNewest, ConflictPolicy::kLocal,
                      ConflictPolicy::kRemote, ConflictPolicy::kPriority}) {
    auto back = parse_policy(policy_name(policy));
    REQUIRE(back.is_ok());
    CHECK(*back == policy);
  }
  CHECK(parse_policy("keep_both").status().is(ErrorKind::kInvalid));
  CHECK(parse_policy("").status().is(ErrorKind::kInvalid));
}

TEST_CASE("conflict rules: PATTERN=POLICY entries separated by semicolons or commas") {
  auto rules = parse_rules(" *.doc=local; build/*=remote ,notes/*.md = newest;");
  REQUIRE(rules.is_ok());
  REQUIRE(rules->size() == 3);
  CHECK((*rules)[0].pattern == "*.doc");
  CHECK((*rules)[0].policy == ConflictPolicy::kLocal);
  CHECK((*rules)[1].pattern == "build/*");
  CHECK((*rules)[2].policy == ConflictPolicy::kNewest);
  CHECK(parse_rules("").value().empty());

  auto bad = parse_rules("*.doc=sometimes");
  CHECK(bad.status().is(ErrorKind::kInvalid));
  CHECK_THAT(bad.status().message(), Catch::Contains("*.doc=sometimes"));
  CHECK(parse_rules("local").status().is(ErrorKind::kInvalid));
  CHECK(parse_rules("=local").status().is(ErrorKind::kInvalid));
}

TEST_CASE("the options refuse a bad conflict rule when they load, a bad policy too") {
  auto bad_rule = config::parse_config("[sync]\nconflict_rules = \"*.doc=often\"\n", "f.toml");
  CHECK(bad_rule.status().is(ErrorKind::kInvalid));
  CHECK_THAT(bad_rule.status().message(), Catch::Contains("conflict_rules"));
  auto bad_policy = config::parse_config("[sync]\nconflict_policy = \"mine\"\n", "f.toml");
  CHECK(bad_policy.status().is(ErrorKind::kInvalid));
  auto good = config::parse_config(
      "[sync]\nconflict_policy = \"newest\"\nconflict_rules = \"*.doc=local\"\n"
      "host = \"box\"\npriority = 7\n",
      "f.toml");
  REQUIRE(good.is_ok());
  CHECK(good->sync.conflict_policy == "newest");
  CHECK(good->sync.conflict_rules == "*.doc=local");
  CHECK(good->sync.host == "box");
  CHECK(good->sync.priority == 7);
}

TEST_CASE("the first matching rule decides, else the global policy") {
  ConflictOptions options;
  options.policy = ConflictPolicy::kRemote;
  options.rules = parse_rules("*.doc=local; build/*=priority; a/b/c.txt=newest").value();
  CHECK(policy_for(options, "x.doc") == ConflictPolicy::kLocal);
  CHECK(policy_for(options, "deep/in/side.doc") == ConflictPolicy::kLocal);  // the name alone
  CHECK(policy_for(options, "build/out/x.o") == ConflictPolicy::kPriority);  // '*' crosses '/'
  CHECK(policy_for(options, "a/b/c.txt") == ConflictPolicy::kNewest);
  CHECK(policy_for(options, "other/build/x.o") == ConflictPolicy::kRemote);
  CHECK(policy_for(options, "c.txt") == ConflictPolicy::kRemote);
}

TEST_CASE("a conflict copy keeps the extension after the suffix") {
  CHECK(conflict_name("report.txt", kTime, "laptop") ==
        "report.conflict-20261122-043000-laptop.txt");
  CHECK(conflict_name("archive.tar.gz", kTime, "laptop") ==
        "archive.tar.conflict-20261122-043000-laptop.gz");
  CHECK(conflict_name("Makefile", kTime, "laptop") == "Makefile.conflict-20261122-043000-laptop");
  CHECK(conflict_name(".bashrc", kTime, "laptop") == ".bashrc.conflict-20261122-043000-laptop");
  CHECK(conflict_name("report.txt", kTime, "laptop", 3) ==
        "report.conflict-20261122-043000-laptop-3.txt");
  CHECK(conflict_name("r.txt", kTime, "my.host/x") == "r.conflict-20261122-043000-my-host-x.txt");
}

TEST_CASE("never a conflict copy of a conflict copy") {
  const std::string first = conflict_name("report.txt", kTime, "laptop");
  CHECK(strip_conflict_suffix(first) == "report.txt");
  const std::string second = conflict_name(first, kTime + 3'600'000'000'000LL, "desk-2");
  CHECK(second == "report.conflict-20261122-053000-desk-2.txt");
  CHECK(strip_conflict_suffix("Makefile.conflict-20261122-043000-laptop-2") == "Makefile");
  CHECK(strip_conflict_suffix("report.conflict-notadate-x.txt") ==
        "report.conflict-notadate-x.txt");
  CHECK(strip_conflict_suffix("plain.txt") == "plain.txt");
}

TEST_CASE("a conflict name fits in 255 bytes") {
  const std::string long_name = std::string(250, 'n') + ".txt";
  const std::string copy = conflict_name(long_name, kTime, "laptop");
  CHECK(copy.size() <= 255);
  CHECK_THAT(copy, Catch::EndsWith(".conflict-20261122-043000-laptop.txt"));
}

TEST_CASE("split_key separates the directory part from the name") {
  CHECK(split_key("a/b/c.txt") == std::pair<std::string_view, std::string_view>{"a/b/", "c.txt"});
  CHECK(split_key("c.txt") == std::pair<std::string_view, std::string_view>{"", "c.txt"});
}

}  // namespace
}  // namespace autosync::syncd
