// The guard's checks beyond types, on the foreign keys a statement adds: a
// key that duplicates one the table already has (or one the same statement
// adds first), by pg_fk_guard.duplicate_keys; and the validating scan of
// ADD FOREIGN KEY without NOT VALID on a table larger than
// pg_fk_guard.validation_notice_rows, a NOTICE with the two-step form.
// Catalog lookups only, never a scan of a table.
#pragma once

#include "guard_collect.hpp"

namespace fkg {

// Reports on the constraints the statement adds (rebuilt ones are left
// alone). Call from the start trigger only when no pair of the statement is
// refused: PostgreSQL would not add any of them.
void report_hygiene(const ProposedPairs *proposed);

// Would report_hygiene() say anything (a duplicate, even one fk_guard.ignored
// silences, or a validation notice)? Says nothing itself; works on a quick
// collection (CollectMode::Quick) too.
bool hygiene_has_findings(const ProposedPairs *proposed);

}  // namespace fkg
