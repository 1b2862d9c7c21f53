// autosyncfs: mounts a bucket as a folder. All of it is in mount_app.h.
#include <string>
#include <vector>

#include "fs/mount_app.h"

int main(int argc, char** argv) {
  return autosync::fs::run_autosyncfs(std::vector<std::string>(argv, argv + argc));
}
