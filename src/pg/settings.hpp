// Module start-up and every setting (GUC) of pg_fk_guard, in one place.
#pragma once

#include "prelude.hpp"

namespace fkg {

enum GuardMode { MODE_ENFORCE, MODE_WARN, MODE_OFF };
enum SoftPolicy { SOFT_WARN, SOFT_ERROR, SOFT_IGNORE };
enum DuplicatePolicy { DUPLICATE_WARN, DUPLICATE_ERROR, DUPLICATE_IGNORE };

extern int guard_mode;              // pg_fk_guard.mode (GuardMode)
extern int soft_policy;             // pg_fk_guard.soft_mismatches (SoftPolicy)
extern int profile_row_limit;       // pg_fk_guard.profile_row_limit
extern int duplicate_policy;        // pg_fk_guard.duplicate_keys (DuplicatePolicy)
extern int validation_notice_rows;  // pg_fk_guard.validation_notice_rows

}  // namespace fkg
