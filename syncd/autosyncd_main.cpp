// autosyncd: uploads what a mount wrote. All of it is in daemon_app.h.
#include <string>
#include <vector>

#include "syncd/daemon_app.h"

int main(int argc, char** argv) {
  return autosync::syncd::run_autosyncd(std::vector<std::string>(argv, argv + argc));
}
