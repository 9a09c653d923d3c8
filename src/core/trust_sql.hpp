#pragma once
// SQL that finds the user-defined code a conversion would run: the catalog
// walk behind "would run code owned by another role", written once for every
// place that runs it as SQL rather than in C (the stand-in for
// fk_guard.converts() that fix scripts define where pg_fk_guard is not
// installed, and pg-fk-guard's profile).
//
// Trusted code is built into PostgreSQL (oid below 16384) or owned by a
// superuser or, unless trust_caller is false, by the calling role
// (CURRENT_USER: the event-trigger guard trusts not even that role's code,
// for a statement PostgreSQL refuses); every other function is reported
// as "<what> (function <schema>.<name>(<argument types>), owned by <role>)".
#include <string>

namespace fkg::trust_sql {

// Two CTEs, walk(t, ord, depth) and code(ord, fn, what), without the
// leading WITH RECURSIVE: the types reached from `seeds` (a VALUES list of
// (type oid, order) pairs, as "(expr, 1), (expr, 2)") through a domain's
// base type, an array's element type, a composite's column types, a range's
// subtype and a multirange's range, 16 levels deep at most; and the
// functions each type runs: its input and output functions, a range's
// canonical function, the functions and operators a domain's CHECK
// constraints call (pg_depend). `more_code`, when not empty, is appended to
// code's UNION as further "SELECT ord, fn, what ..." rows (with its leading
// "UNION ALL").
std::string code_ctes(const std::string &seeds, const std::string &more_code);

// The first row of code (in ord order) whose function is not trusted, as
// its sentence; `into` (e.g. "why"), when not empty, makes it PL/pgSQL's
// SELECT ... INTO.
std::string first_untrusted(const std::string &into, bool trust_caller = true);

// Parameter $1 (a type oid): why reading or writing a value of that type
// runs untrusted code, as the column "why", or no row.
std::string type_io_reason(bool trust_caller = true);

// Parameters $1 and $2 (type oids, domains allowed): why casting $1 to $2
// runs an untrusted cast function (pg_cast between their base types), as the
// column "why", or no row.
std::string cast_reason(bool trust_caller = true);

}  // namespace fkg::trust_sql
