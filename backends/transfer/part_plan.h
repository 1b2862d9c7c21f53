// Part planning: how an object of a given size is cut into multipart parts within what the
// store allows. Pure functions; thread-safe.
#pragma once

#include <cstdint>

#include "backends/object_store.h"

namespace autosync::backends {

struct Part {
  int number = 0;  // 1-based, as multipart uploads count
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct PartPlan {
  uint64_t object_size = 0;
  uint64_t part_size = 0;
  uint64_t part_count = 0;

  // Part `index` (0-based); the last one holds what is left and may be shorter.
  Part part(uint64_t index) const;
};

// Cuts `object_size` bytes into parts of `wanted_part_size`, raised to the store's
// min_part_size and, when that would need more than max_parts parts, to the smallest size that
// fits. kInvalid when even max_part_size parts cannot hold the object or the wish is 0.
Result<PartPlan> plan_parts(uint64_t object_size, uint64_t wanted_part_size,
                            const Capabilities& capabilities);

}  // namespace autosync::backends
