// parse_fault_spec: a FaultPlan written on one line, so that tests can run the real programs
// (autosyncfs, autosyncd) with injected store faults through the environment variable
// AUTOSYNC_TEST_FAULTS. Test-only: nothing a user configures reads it.
//
// Grammar: items separated by ';'. An item is "seed=N" or a rule; a rule is fields separated
// by ',', each NAME=VALUE:
//   op=OP[+OP...]      head get put remove remove_many list copy create_multipart upload_part
//                      complete_multipart abort_multipart list_versions
//                      list_multipart_uploads (default: every operation)
//   key=PREFIX         only calls on keys starting with PREFIX (default: every key)
//   calls=N[+N...]     fire on these calls of the rule (1-based)  } exactly one of
//   p=P                or on each call with probability P, 0..1   } the two
//   delay=Nms|Ns       wait this long first
//   error=KIND         throttled (slow down), reset (connection reset), timeout, denied
//                      (access denied), notfound, precondition
//   timing=before|after|midbody   see FaultTiming (default before)
// A rule must have an error or a delay. Example, the 1st and 2nd put throttled, 30% of puts
// reset, every put of keys under secret/ denied:
//   "op=put,calls=1+2,error=throttled;op=put,p=0.3,error=reset;op=put,key=secret/,p=1,error=denied"
// Errors name the item and the field: "rule 2: p=1.5: not between 0 and 1".
#pragma once

#include <string_view>

#include "backends/decorators/fault_store.h"
#include "core/base/result.h"

namespace autosync::backends {

Result<FaultPlan> parse_fault_spec(std::string_view spec);

}  // namespace autosync::backends
