// Catalog facts read in whole passes over pg_class, pg_attribute, pg_index,
// pg_namespace and pg_constraint, for the functions that look at every
// foreign key at once (diagnose_fk_mismatches(), check_foreign_keys()).
//
// A fresh session's system caches are empty, and filling them table by table
// (one index probe per table, column and constraint) cost more than the
// catalog scans a plain SQL query does with hash joins. Inside a
// CatalogCache::Scope the lookups below answer from one sequential scan of
// each catalog, done the first time a fact of that catalog is asked for;
// outside a scope, or for an object the scan did not see, they ask the
// system caches as before. The answers are the same either way.
//
// PostgreSQL-side helpers: call them under pg_guard. A Scope is a C++ object:
// create it outside pg_guard, in the function's own frame.
#pragma once

#include "prelude.hpp"

namespace fkg {
namespace catcache {

class Scope {
 public:
  Scope();
  ~Scope();
  Scope(const Scope &) = delete;
  Scope &operator=(const Scope &) = delete;
};

// The relation's schema (InvalidOid if there is no such relation).
Oid rel_namespace(Oid rel);
// Its name, palloc'd (NULL if there is no such relation).
char *rel_name(Oid rel);
// Its kind, reltuples (-1 when never counted), or '\0' / -1 if none.
char rel_kind(Oid rel);
double rel_tuples(Oid rel);
// The schema's name, palloc'd (NULL if none).
char *namespace_name(Oid nsp);
// The table's name as regclassout writes it: bare when visible on the search
// path, else schema-qualified.
char *regclass_text(Oid rel);
// schema.table, always qualified and quoted as needed.
char *qualified_name(Oid rel);

// Type, typmod and collation of a column, as get_atttypetypmodcoll gives them.
void column_type(Oid rel, AttrNumber att, Oid *type, int32 *typmod, Oid *collation);
// The column's name, palloc'd (an error if there is none, as get_attname(..., false)).
char *column_name(Oid rel, AttrNumber att);
// Inside a scope: 1 for a live column (its name in *name, palloc'd), 0 for a
// dropped one, -1 for none. Outside a scope: -2, and the caller asks the
// system cache itself.
int column_state(Oid rel, AttrNumber att, char **name);
// Whether the column is declared NOT NULL (false if there is no such column).
bool column_not_null(Oid rel, AttrNumber att);

// The constraint's name, palloc'd (NULL if none), as get_constraint_name.
char *constraint_name(Oid con);

// Has the caller USAGE on the schema (memoized per scope).
bool schema_usage(Oid nsp);

// One index of a table, as pg_index has it.
struct IndexFacts {
  Oid index;
  Oid table;
  int nkeyatts;
  int16 keys[INDEX_MAX_KEYS];
  Oid opclasses[INDEX_MAX_KEYS];
  bool valid;
  bool partial;
  bool primary;
  bool live;
};
// The index's row of pg_index, or NULL (also outside a scope).
const IndexFacts *index_facts(Oid index);
// Every index of a table (an empty list if none). Outside a scope: NULL,
// and the caller reads pg_index itself.
const std::vector<const IndexFacts *> *indexes_of_table(Oid table);

// pg_total_relation_size(rel) (the table, its TOAST table and their
// indexes, every fork and segment), from the relations' files as one listing
// of each database directory shows them, without opening the relations: -1
// outside a scope, or for a relation this cannot size that way (a temporary
// or mapped one): then ask pg_total_relation_size().
int64 total_relation_size(Oid rel);

}  // namespace catcache
}  // namespace fkg
