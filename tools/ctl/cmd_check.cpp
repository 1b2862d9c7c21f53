// autosyncctl check REMOTE: loads the options as autosyncfs would (REMOTE, -o lists, --config)
// and makes one listing request to the store, so wrong credentials, a missing bucket or an
// unreachable endpoint are told without mounting anything. No daemon involved.
#include <fmt/format.h>
#include <unistd.h>

#include <ostream>

#include "backends/open.h"
#include "core/config/config.h"
#include "tools/ctl/commands.h"

namespace autosync::ctl {

int cmd_check(const Session& s, const CheckArgs& args) {
  config::CommandLine command_line;
  command_line.remote = args.remote;
  command_line.option_lists = args.option_lists;
  if (args.config_file) command_line.config_file = *args.config_file;
  auto options = config::load_options(command_line, process_env(), ::geteuid());
  if (!options) return s.fail(kExitUsage, "check: " + options.status().message());
  auto store = backends::open(options->store);
  if (!store) return s.fail(kExitFailed, "check: " + store.status().to_string());
  backends::ListOptions probe;
  probe.delimiter = "/";
  probe.max_keys = 1;
  auto page = (*store)->list(probe);
  const std::string described = (*store)->describe();
  if (s.json) {
    s.out << syncd::Json{{"remote", args.remote},
                         {"store", described},
                         {"ok", page.is_ok()},
                         {"error", page ? std::string() : page.status().to_string()}}
                 .dump(2)
          << '\n';
  }
  if (!page)
    return s.fail(kExitFailed, fmt::format("check: {}: {}", described, page.status().to_string()));
  if (!s.json) s.out << fmt::format("ok: {} answers a listing\n", described);
  return kExitOk;
}

}  // namespace autosync::ctl
