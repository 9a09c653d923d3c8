// Fix plans: the facts a plan needs from the catalog and the data (mapping
// columns, the constraint to keep or add, a DEFAULT that cannot stay, rows
// other tables lose through ON DELETE), handed to the pure writer.
#pragma once

#include <string>

#include "../core/fix_writer.hpp"
#include "profile.hpp"

namespace fkg {

// The script that converts rel.att to refrel.refatt's type and adds (or
// keeps) the foreign key. prof: the column's profile, or null. Throws
// UserError when the mode cannot be honoured (a NOT NULL column for 'null',
// no unique mapping for 'map', other tables' rows for 'delete' without
// allow_cascade). constraint_name: the name the foreign key must have (the
// one a refused statement asked for); null for the existing or default name.
std::string build_fix_plan(Oid rel, AttrNumber att, Oid refrel, AttrNumber refatt, OnUnconvertible mode,
                           const ColumnProfile *prof, bool allow_cascade, const char *constraint_name = nullptr);

// Views, rules, policies and generated columns that use rel.att, which make
// ALTER COLUMN ... TYPE refuse it ("view public.v, policy p"); empty if none.
std::string column_blockers_of(Oid rel, AttrNumber att);

// Is rel.att a surrogate key (a single-column primary key the database
// fills: identity or a DEFAULT), and is referencing_type one a surrogate key
// has (an integer or uuid)? Then changing the key's type instead of the
// referencing column's is worth naming. Plain PostgreSQL code (under pg_guard).
bool surrogate_key_may_follow(Oid rel, AttrNumber att, Oid referencing_type);

// The quoted name of the column of refrel whose values (of rel.att's type)
// match every non-NULL value of rel.att exactly once (users.legacy_uuid for
// sessions."userId"), read as the caller; empty if there is none.
std::string mapping_column_of(Oid rel, AttrNumber att, Oid refrel, AttrNumber refatt);

}  // namespace fkg
