// autosyncctl: see tools/ctl/app.h.
#include <iostream>

#include "tools/ctl/app.h"

int main(int argc, char** argv) {
  return autosync::ctl::run_autosyncctl(std::vector<std::string>(argv, argv + argc), std::cout,
                                        std::cerr);
}
