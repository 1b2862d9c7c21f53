#include "core/process/logging.h"

#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace autosync::process {

void init_logging(const std::string& program, bool verbose) {
  auto logger = spdlog::stderr_logger_mt(program);
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %n[%P] %l: %v");
  logger->set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
  // SPDLOG_LEVEL (e.g. "debug") overrides the level: how a test or a user debugging a daemon
  // they did not start themselves turns on its debug log.
  spdlog::cfg::load_env_levels();
}

}  // namespace autosync::process
