// SQL-callable functions around the verdict engine: classify_key_pair() and
// the error-boundary self test. Each is a thin entry point whose body runs
// behind the error boundary (FKG_SQL_FUNCTION).
#include <algorithm>
#include <stdexcept>

#include "compat.hpp"
#include "render.hpp"
#include "result_row.hpp"

using namespace fkg;

namespace {

struct ParsedType {
  Oid type;
  int32 typmod;
};

// A type given as text: parsed as SQL, and one a column can have (no
// pseudo-type such as anyelement or record, no shell).
ParsedType parse_type(text *t) {
  return pg_guard([t]() {
    ParsedType p;
    compat::parse_type_string(text_to_cstring(t), &p.type, &p.typmod);
    HeapTuple tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(p.type));
    if (!HeapTupleIsValid(tup)) elog(ERROR, "type with OID %u does not exist", p.type);
    Form_pg_type typ = (Form_pg_type)GETSTRUCT(tup);
    bool pseudo = typ->typtype == TYPTYPE_PSEUDO, shell = !typ->typisdefined;
    ReleaseSysCache(tup);
    if (shell)
      ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("type %s is only a shell", format_type_be(p.type))));
    if (pseudo)
      ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE), errmsg("%s is a pseudo-type", format_type_be(p.type)),
                      errdetail("No column has a pseudo-type, so no key pair can have one.")));
    return p;
  });
}

// The collation given by name, or the type's default when NULL.
Oid collation_for(Oid type, text *name) {
  return pg_guard([type, name]() {
    Oid typcoll = get_typcollation(type);
    if (name == NULL) return typcoll;
    const char *s = text_to_cstring(name);
    // 'C' means the collation "C", as a user passing a name in a string expects;
    // quoted or qualified names are parsed as SQL identifiers.
    Oid coll = get_collation_oid(list_make1(makeString(pstrdup(s))), true);
    if (!OidIsValid(coll)) coll = get_collation_oid(compat::qualified_name_list(s), false);
    if (!OidIsValid(typcoll))
      ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                      errmsg("collations are not supported by type %s", format_type_be(type))));
    return coll;
  });
}

Oid opclass_for(Oid type, text *name) {
  if (name == NULL) return default_btree_opclass(type);
  return pg_guard(
      [name]() { return get_opclass_oid(BTREE_AM_OID, compat::qualified_name_list(text_to_cstring(name)), false); });
}

text *arg_text(FunctionCallInfo fcinfo, int n) { return PG_ARGISNULL(n) ? NULL : PG_GETARG_TEXT_PP(n); }

}  // namespace

// fk_guard.classify_key_pair(referencing_type, referenced_type,
//   referencing_collation, referenced_collation, referenced_opclass):
// the verdict engine on a what-if pair, as a primary key on the referenced
// type (with its default btree operator class, or the one given) would see it.
FKG_SQL_FUNCTION(classify_key_pair) {
  for (int i : {0, 1})
    if (PG_ARGISNULL(i))
      throw UserError(ERRCODE_NULL_VALUE_NOT_ALLOWED, std::string("argument ") +
                                                          (i == 0 ? "referencing_type" : "referenced_type") +
                                                          " of fk_guard.classify_key_pair() must not be null");
  ParsedType fk = parse_type(PG_GETARG_TEXT_PP(0));
  ParsedType pk = parse_type(PG_GETARG_TEXT_PP(1));
  PgColumn fkcol{fk.type, fk.typmod, collation_for(fk.type, arg_text(fcinfo, 2))};
  PgColumn pkcol{pk.type, pk.typmod, collation_for(pk.type, arg_text(fcinfo, 3))};
  Oid opclass = opclass_for(pk.type, arg_text(fcinfo, 4));

  JudgedPair j = judge_pair(fkcol, pkcol, opclass);
  std::vector<const char *> kinds;
  for (const Problem &p : j.verdict.problems)
    if (kinds.empty() || kinds.back() != kind_name(p.kind)) kinds.push_back(kind_name(p.kind));
  std::string explanation = j.verdict.explanation();
  const char *kind = kind_name(j.verdict.kind);
  const char *severity = severity_name(j.verdict.severity());
  const std::vector<const char *> *kindsp = &kinds;
  const std::string *explp = &explanation;

  return pg_guard([fcinfo, kind, severity, kindsp, explp]() {
    TupleDesc tupdesc;
    if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
      elog(ERROR, "return type must be a row type");
    tupdesc = BlessTupleDesc(tupdesc);
    int n = (int)kindsp->size();
    Datum *elems = (Datum *)palloc(sizeof(Datum) * (n > 0 ? n : 1));
    for (int i = 0; i < n; i++) elems[i] = CStringGetTextDatum((*kindsp)[i]);
    RowBuilder row(tupdesc);
    row.add_text(kind)
        .add_text(severity)
        .add_text(explp->empty() ? NULL : explp->c_str())
        .add(PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT)));
    return HeapTupleGetDatum(row.form_tuple());
  });
}

// fk_guard.selftest_error_boundary(failure text): raises a failure of the
// named sort from inside C++ frames that hold live objects, so tests can show
// that it surfaces as a clean ERROR: 'cpp' (a C++ exception), 'bad_alloc',
// 'user' (a user-facing error raised in C++), 'postgres' (a PostgreSQL ERROR
// raised by a PostgreSQL function called from C++). 'none' returns normally.
namespace {

std::string nested_cpp_failure(int depth, std::vector<std::string> &trail) {
  trail.push_back("frame " + std::to_string(depth));
  if (depth == 0) throw std::runtime_error("selftest: C++ exception after " + std::to_string(trail.size()) + " frames");
  return nested_cpp_failure(depth - 1, trail);
}

int32 postgres_failure_under_cpp(const std::string &input) {
  std::vector<std::string> live{"objects", "alive", "while", "PostgreSQL", "raises"};
  const char *in = input.c_str();
  return pg_guard([in]() { return DatumGetInt32(DirectFunctionCall1(int4in, CStringGetDatum(in))); }) +
         static_cast<int32>(live.size());
}

}  // namespace

FKG_SQL_FUNCTION(selftest_error_boundary) {
  std::string failure = pg_guard([fcinfo]() { return text_to_cstring(PG_GETARG_TEXT_PP(0)); });
  std::vector<std::string> trail;
  if (failure == "cpp") nested_cpp_failure(8, trail);
  if (failure == "bad_alloc") throw std::bad_alloc();
  if (failure == "user")
    throw UserError(ERRCODE_INVALID_PARAMETER_VALUE, "selftest: user-facing error raised in C++",
                    "The detail survives the boundary.", "So does the hint.");
  if (failure == "postgres") postgres_failure_under_cpp("not a number");
  if (failure != "none")
    throw UserError(ERRCODE_INVALID_PARAMETER_VALUE, "unknown failure \"" + failure + "\"", "",
                    "Use one of cpp, bad_alloc, user, postgres, none.");
  return pg_guard([]() { return CStringGetTextDatum("ok"); });
}
