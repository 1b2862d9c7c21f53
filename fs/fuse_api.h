// fuse_api: the one include of libfuse's low-level API, pinned to the API version fs/ is
// written against (3.12: the opaque fuse_loop_config). fs/ is the only code that includes it.
// Header only; no state.
#pragma once

#ifndef FUSE_USE_VERSION
#define FUSE_USE_VERSION 312
#endif
#include <fuse_lowlevel.h>
