// Key type plans: the facts fk_guard.change_key_type_plan() needs from the
// catalog and the data (every column that references the key, with its
// foreign key's whole definition and its table's size; the key's sequence,
// identity and default), handed to the pure writer (src/core/key_plan.*).
#pragma once

#include <string>

#include "../core/fix_writer.hpp"
#include "../core/key_plan.hpp"
#include "prelude.hpp"

namespace fkg {

// The script that changes rel.att to new_type together with every column
// that references it. new_key_expression: each key's new value when no cast
// exists (null: the type's usual generator, gen_random_uuid() for uuid).
// Throws UserError when the plan cannot be written safely (a value of the key
// that cannot convert, a view on a column, an expression that is not one
// expression, a mode that does not apply). With online.enabled, the online
// script, or a UserError naming what online mode cannot carry (the offline
// plan can).
std::string build_key_type_plan(Oid rel, AttrNumber att, Oid new_type, OnUnconvertible mode,
                                const char *new_key_expression, bool include_implied, const OnlineOptions &online);

}  // namespace fkg
