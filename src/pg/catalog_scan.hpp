// The catalog scans the engine's front doors share, and the subtransaction
// wrapper the data readers share. PostgreSQL-side helpers:
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

// Every object that depends on the column rel.att (its pg_depend rows, by index).
using DependVisitor = bool (*)(Form_pg_depend dep, void *arg);
void for_each_column_dependent(Oid rel, AttrNumber att, DependVisitor visit, void *arg);

// Every index of a table, with its operator classes, from pg_index by index.
using IndexVisitor = bool (*)(HeapTuple tup, Form_pg_index index, oidvector *indclass, void *arg);
void for_each_index(Oid rel, IndexVisitor visit, void *arg);

// Runs fn(arg) in an internal subtransaction, the way PL/pgSQL runs an
// EXCEPTION block: returns false, with everything fn did rolled back and
// PostgreSQL's error state cleared, if fn raised an ERROR.
// Errors that are never swallowed (query cancel and statement_timeout,
// lock_timeout, deadlocks, serialization failures, shutdown): they are
// rethrown after the subtransaction is rolled back.
bool try_in_subtransaction(void (*fn)(void *), void *arg);

// Is this SQLSTATE one that must reach the user rather than be absorbed?
bool must_propagate(int sqlerrcode);

}  // namespace fkg
