// AdapterOptions: how the FUSE adapter (fuse_adapter.h) talks to the kernel. Plain values
// with documented defaults; no libfuse types, so callers of MountSession need no libfuse.
// Value type.
#pragma once

#include <chrono>
#include <cstdint>

namespace autosync::fs {

struct AdapterOptions {
  // Let the kernel cache writes and send them in large batches (FUSE_CAP_WRITEBACK_CACHE).
  // Faster for small writes; the kernel then owns mtime and the append offset.
  bool writeback_cache = false;
  // Largest WRITE request; libfuse clamps it to what its buffers hold (1 MiB by default).
  uint32_t max_write = 1024 * 1024;
  // How long the kernel may trust attributes from getattr/setattr (lookups carry their own).
  std::chrono::duration<double> attr_timeout{1.0};
};

}  // namespace autosync::fs
