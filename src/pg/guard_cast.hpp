// The guard's second check: an ALTER COLUMN ... TYPE on a key column that no
// cast can do (uuid to integer). PostgreSQL refuses it with 42846 "cannot
// cast type uuid to integer" (a USING "col"::type, as knex and Django send)
// or 42804 with a hint to add exactly that USING (no USING, as Sequelize and
// Rails send). The guard raises the same error first, saying what the column
// holds and how its values can be looked up instead of cast.
#pragma once

#include "prelude.hpp"

namespace fkg {

// Runs as C++ (not under pg_guard). Raises under pg_fk_guard.mode = enforce,
// warns under warn; returns when the statement converts no key column that
// way. The table is already locked by the guard's first half.
void check_key_conversions(Node *parsetree);

}  // namespace fkg
