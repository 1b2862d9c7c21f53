#include "tests/cli/ctl_util.h"

#include <algorithm>
#include <catch2/catch.hpp>

namespace autosync::testing {

CommandResult ctl(std::vector<std::string> args) {
  std::vector<std::string> argv{program("autosyncctl").string()};
  for (auto& arg : args)
    argv.push_back(std::move(arg));
  return run(std::move(argv));
}

nlohmann::json json_of(const CommandResult& result) {
  auto parsed = nlohmann::json::parse(result.out, nullptr, false);
  return parsed.is_discarded() ? nlohmann::json() : parsed;
}

void mount_with_daemon(CliFixture& f) {
  const auto mounted = f.mount();
  INFO(mounted.err);
  REQUIRE(mounted.exit_code == 0);
  REQUIRE(eventually([&] { return ctl({"status", "--mount", f.mnt.string()}).exit_code == 0; }));
}

bool one_error_line(const CommandResult& result) {
  const auto& e = result.err;
  return e.rfind("autosyncctl: ", 0) == 0 && e.back() == '\n' &&
         std::count(e.begin(), e.end(), '\n') == 1;
}

}  // namespace autosync::testing
