// What the SQL-callable functions share about their arguments: NULL checks
// that name the argument, table and column arguments checked with a sentence
// that says why they are refused, the caller's search_path as namespaces,
// and whether the caller may read a column. Defined in diagnose.cpp.
#pragma once

#include <string>
#include <vector>

#include "profile.hpp"

namespace fkg {

// Why the caller may not read a column (schema USAGE, then SELECT on the
// table or the column), or NULL. Plain PostgreSQL code (call under pg_guard).
const char *unreadable_column(Oid rel, AttrNumber att);

// An error naming the argument when it is NULL.
void require_arg(FunctionCallInfo fcinfo, int n, const char *name, const char *function);

// A table argument: it exists, is locked against being dropped while we read
// it, and is a user's ordinary or partitioned table.
void check_table_arg(Oid rel, const char *name, const char *function);

// The error of a function that needs the data but could not profile it.
UserError not_profiled_error(const ColumnProfile &p, const char *function);

// A text[] Datum of the items.
Datum text_array(const std::vector<std::string> &items);

// The single-column primary key of a table, or an error that says what to pass.
AttrNumber primary_key_column(Oid rel);

// A column of the table by name, or PostgreSQL's own error for an unknown one.
AttrNumber column_of(Oid rel, Name col);

// The namespaces of a name[] search path that exist, in order.
std::vector<Oid> namespaces_of(ArrayType *names);

}  // namespace fkg
