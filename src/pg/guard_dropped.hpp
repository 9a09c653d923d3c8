// The foreign keys this transaction dropped with ALTER TABLE ... DROP
// CONSTRAINT. Migration tools that change a key's type drop the keys that
// reference it first (Django does, in the same transaction), then convert
// the key column: when no cast can convert it, nothing references the column
// any more when the guard looks, and PostgreSQL's own error says nothing of
// the columns that held its keys. The guard remembers those keys (read at
// ddl_command_start, before PostgreSQL drops them) until the transaction
// ends, so that its message can name them.
#pragma once

#include "prelude.hpp"

namespace fkg {

// Called at ddl_command_start for every ALTER TABLE while the guard is on:
// remembers each foreign key its DROP CONSTRAINT subcommands name. Plain
// PostgreSQL code: call it through pg_guard.
void note_dropped_keys(AlterTableStmt *stmt);

// A dropped key that referenced a column, with its referencing column as it
// is now.
struct DroppedReferrer {
  Oid rel;              // the referencing table
  const char *table;    // as regclass prints it
  const char *column;   // quoted
  const char *conname;  // the dropped key's name, as stored
  const char *type;     // the referencing column's type now, as PostgreSQL prints it
};

struct DroppedReferrers {
  DroppedReferrer *items;
  int count;
};

// The keys dropped in this transaction that referenced rel.att, whose
// referencing column still exists; none while a key still references the
// column (PostgreSQL would rebuild that one, and the guard's check of
// rebuilt keys speaks; a key dropped in a savepoint rolled back is such a
// key again).
// Plain PostgreSQL code: call it through pg_guard.
DroppedReferrers *dropped_referrers_of(Oid rel, AttrNumber att);

// Registers the end-of-transaction callback that forgets them (_PG_init).
void register_dropped_keys_callback();

}  // namespace fkg
