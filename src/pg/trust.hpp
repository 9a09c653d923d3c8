// Whose code converting or comparing values would run.
//
// Converting a value can call a cast function, the CHECK expressions of a
// target domain and type input/output functions; comparing values calls an
// operator's function. Any of them may belong to a table or type owner. The
// diagnostic functions and the guard read data with the caller's privileges,
// often a superuser's, so they run only code that is trusted: built into
// PostgreSQL (OID below FirstNormalObjectId), owned by a superuser (installed
// with an extension, say), or, where the caller allows it, owned by the
// calling role itself (its own code with its own privileges). Anything else is
// reported instead of run.
//
// Every function here is plain PostgreSQL code: it may raise a PostgreSQL
// error and holds no C++ object, so call it under pg_guard().
#pragma once

#include "boundary.hpp"

namespace fkg {

// Whose code counts as trusted besides PostgreSQL's and superusers'.
enum class TrustCaller { No, Yes };

// NULL if every function that `sql` (a query with `nargs` parameters of
// `argtypes`) calls when parsed as written is trusted, and the input/output
// functions of its result columns too; otherwise a palloc'd clause saying what
// is not, e.g. "the cast from mood to integer is user-defined (function
// public.mood_to_int(mood), owned by alice)". Parses and analyses the query
// (which locks its tables like the query itself would) but runs nothing.
const char *untrusted_code_in_query(const char *sql, int nargs, const Oid *argtypes, TrustCaller caller);

// The same for the input and output functions of a type: a domain's CHECK
// expressions, an array's element type, a composite's column types, a range's
// subtype and canonical function.
const char *untrusted_code_in_type_io(Oid type, TrustCaller caller);

}  // namespace fkg
