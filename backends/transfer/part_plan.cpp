#include "backends/transfer/part_plan.h"

#include <fmt/format.h>

#include <algorithm>

namespace autosync::backends {
namespace {

uint64_t divide_rounding_up(uint64_t a, uint64_t b) {
  return a / b + (a % b != 0 ? 1 : 0);
}

}  // namespace

Part PartPlan::part(uint64_t index) const {
  const uint64_t offset = index * part_size;
  return Part{static_cast<int>(index + 1), offset, std::min(part_size, object_size - offset)};
}

Result<PartPlan> plan_parts(uint64_t object_size, uint64_t wanted_part_size,
                            const Capabilities& capabilities) {
  if (wanted_part_size == 0) return invalid("part size must be at least 1 byte");
  const uint64_t max_parts = std::max<uint64_t>(1, capabilities.max_parts);
  uint64_t part_size = std::max(wanted_part_size, capabilities.min_part_size);
  // Too many parts: grow them just enough to fit the store's limit.
  if (divide_rounding_up(object_size, part_size) > max_parts) {
    part_size = divide_rounding_up(object_size, max_parts);
  }
  if (part_size > capabilities.max_part_size) {
    // A wish above the store's maximum is fine as long as the object still fits.
    part_size = capabilities.max_part_size;
    if (part_size == 0 || divide_rounding_up(object_size, part_size) > max_parts) {
      return invalid(fmt::format("{} bytes do not fit in {} parts of at most {} bytes", object_size,
                                 max_parts, capabilities.max_part_size));
    }
  }
  const uint64_t count = object_size == 0 ? 1 : divide_rounding_up(object_size, part_size);
  return PartPlan{object_size, part_size, count};
}

}  // namespace autosync::backends
