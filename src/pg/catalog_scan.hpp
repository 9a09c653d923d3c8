// The catalog scans the engine's front doors share. PostgreSQL-side helpers:
// call them under pg_guard; visitors are plain functions (no C++ objects with
// destructors), return false to stop.
#pragma once

#include "prelude.hpp"

namespace fkg {

enum class FkScope {
  All,              // every foreign key (one pass over pg_constraint)
  OnTable,          // the foreign keys of a table (its referencing side), by index
  ReferencingTable  // the foreign keys of other tables that reference a table
};

using FkVisitor = bool (*)(HeapTuple tup, TupleDesc desc, void *arg);
void for_each_foreign_key(FkScope scope, Oid rel, FkVisitor visit, void *arg);

// Every index of a table, with its operator classes, from pg_index by index.
using IndexVisitor = bool (*)(HeapTuple tup, Form_pg_index index, oidvector *indclass, void *arg);
void for_each_index(Oid rel, IndexVisitor visit, void *arg);

}  // namespace fkg
