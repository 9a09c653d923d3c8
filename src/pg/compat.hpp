// PostgreSQL version differences, in one place: every PG_VERSION_NUM branch
// of the module is a named inline function or constant here, with a comment
// saying what differs in which version (prelude.hpp only chooses headers).
#pragma once

#include "prelude.hpp"

extern "C" {
#include "parser/analyze.h"
}

namespace fkg::compat {

// ADD FOREIGN KEY ... NOT VALID on a partitioned table: refused (42809)
// before PostgreSQL 18, accepted from 18 on.
constexpr bool no_not_valid_foreign_keys_on_partitioned_tables = PG_VERSION_NUM < 180000;

// ADD FOREIGN KEY checks the key columns' collations from PostgreSQL 18 on
// (refused: one collatable and one not, or two different collations with a
// nondeterministic one); before 18 it checks none.
constexpr bool foreign_keys_check_collations = PG_VERSION_NUM >= 180000;

// Soft input errors: from PostgreSQL 16 an input function can report a value
// it refuses (InputFunctionCallSafe) instead of raising an ERROR; before 16
// only a subtransaction could catch it, so callers decide with PostgreSQL 15's
// rules in C++ instead (src/core/input_check).
constexpr bool has_soft_input_errors = PG_VERSION_NUM >= 160000;

// Whether the input function accepts the text, and the value in *result if it
// does, without raising an ERROR for a refused value. Only where
// has_soft_input_errors (16+); before 16 it is never called and raises an ERROR.
inline bool input_accepts(FmgrInfo *input, char *text, Oid ioparam, int32 typmod, Datum *result) {
#if PG_VERSION_NUM >= 160000
  ErrorSaveContext escontext = {T_ErrorSaveContext};
  return InputFunctionCallSafe(input, text, ioparam, typmod, (Node *)&escontext, result);
#else
  elog(ERROR, "soft input errors need PostgreSQL 16 or later");
  return false;
#endif
}

// What an ALTER TABLE statement alters (a table, a view, ...): objtype from
// PostgreSQL 14 on, relkind before.
inline ObjectType alter_table_object_type(const AlterTableStmt *stmt) {
#if PG_VERSION_NUM >= 140000
  return stmt->objtype;
#else
  return stmt->relkind;
#endif
}

inline bool has_schema_usage(Oid nsp) {
#if PG_VERSION_NUM >= 160000
  return object_aclcheck(NamespaceRelationId, nsp, GetUserId(), ACL_USAGE) == ACLCHECK_OK;
#else
  return pg_namespace_aclcheck(nsp, GetUserId(), ACL_USAGE) == ACLCHECK_OK;
#endif
}

inline bool owns_relation(Oid rel) {
#if PG_VERSION_NUM >= 160000
  return object_ownercheck(RelationRelationId, rel, GetUserId());
#else
  return pg_class_ownercheck(rel, GetUserId());
#endif
}

inline List *qualified_name_list(const char *s) {
#if PG_VERSION_NUM >= 160000
  return stringToQualifiedNameList(s, NULL);
#else
  return stringToQualifiedNameList(s);
#endif
}

// parseTypeString raising its errors (16 replaced missing_ok with an error-save context).
inline void parse_type_string(const char *s, Oid *type, int32 *typmod) {
#if PG_VERSION_NUM >= 160000
  parseTypeString(s, type, typmod, NULL);
#else
  parseTypeString(s, type, typmod, false);
#endif
}

// The relation's primary key index, never a DEFERRABLE one (as before 18,
// where the flag appeared; a foreign key cannot use a deferrable key anyway).
inline Oid primary_key_index(Relation rel) {
#if PG_VERSION_NUM >= 180000
  return RelationGetPrimaryKeyIndex(rel, false);
#else
  return RelationGetPrimaryKeyIndex(rel);
#endif
}

// Temporal foreign keys (PostgreSQL 18: FOREIGN KEY (..., PERIOD p)
// REFERENCES t (..., PERIOD p)) compare their last column by overlap through a
// WITHOUT OVERLAPS index, not by btree equality: the engine has no verdict for
// them, so the guard and the diagnostics leave them alone.
inline bool fk_uses_period(const Constraint *con) {
#if PG_VERSION_NUM >= 180000
  return con->fk_with_period || con->pk_with_period;
#else
  return false;
#endif
}

inline bool constraint_uses_period(Form_pg_constraint con) {
#if PG_VERSION_NUM >= 180000
  return con->conperiod;
#else
  return false;
#endif
}

// A WITHOUT OVERLAPS primary key or unique constraint (18): its index is
// unique and an exclusion index; only a PERIOD foreign key may use it.
inline bool index_without_overlaps(Form_pg_index index) {
#if PG_VERSION_NUM >= 180000
  return index->indisexclusion;
#else
  return false;
#endif
}

// NOT ENFORCED foreign keys (PostgreSQL 18): no triggers check them and
// adding one scans nothing. Before 18 every foreign key is enforced.
inline bool fk_enforced(const Constraint *con) {
#if PG_VERSION_NUM >= 180000
  return con->is_enforced;
#else
  return true;
#endif
}

inline void set_fk_enforced(Constraint *con, bool enforced) {
#if PG_VERSION_NUM >= 180000
  con->is_enforced = enforced;
#endif
}

inline bool constraint_enforced(Form_pg_constraint con) {
#if PG_VERSION_NUM >= 180000
  return con->conenforced;
#else
  return true;
#endif
}

// Applies a column constraint's attribute node (DEFERRABLE, INITIALLY
// DEFERRED ..., and from 18 ENFORCED / NOT ENFORCED) to the constraint it
// follows, as transformConstraintAttrs does; false if `attr` is no attribute.
inline bool apply_constraint_attribute(Constraint *con, const Constraint *attr) {
  switch (attr->contype) {
    case CONSTR_ATTR_DEFERRABLE:
      con->deferrable = true;
      return true;
    case CONSTR_ATTR_NOT_DEFERRABLE:
      con->deferrable = false;
      return true;
    case CONSTR_ATTR_DEFERRED:
      con->initdeferred = true;
      con->deferrable = true;  // INITIALLY DEFERRED implies DEFERRABLE
      return true;
    case CONSTR_ATTR_IMMEDIATE:
      con->initdeferred = false;
      return true;
#if PG_VERSION_NUM >= 180000
    case CONSTR_ATTR_ENFORCED:
      con->is_enforced = true;
      return true;
    case CONSTR_ATTR_NOT_ENFORCED:
      con->is_enforced = false;
      return true;
#endif
    default:
      return false;
  }
}

// ON DELETE SET NULL / SET DEFAULT with a column list (PostgreSQL 15+):
// the columns; NIL before 15.
inline List *fk_delete_set_columns(const Constraint *con) {
#if PG_VERSION_NUM >= 150000
  return con->fk_del_set_cols;
#else
  return NIL;
#endif
}

// Sets up a materialized set-returning function (tuplestore in rsinfo).
inline void init_materialized_srf(FunctionCallInfo fcinfo) {
#if PG_VERSION_NUM >= 150000
  InitMaterializedSRF(fcinfo, 0);
#else
  ReturnSetInfo *rsinfo = (ReturnSetInfo *)fcinfo->resultinfo;
  if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) || !(rsinfo->allowedModes & SFRM_Materialize))
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("set-valued function called in context that cannot accept a set")));
  MemoryContext old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
  TupleDesc tupdesc;
  if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE) elog(ERROR, "return type must be a row type");
  rsinfo->returnMode = SFRM_Materialize;
  rsinfo->setResult = tuplestore_begin_heap(true, false, work_mem);
  rsinfo->setDesc = CreateTupleDescCopy(tupdesc);
  MemoryContextSwitchTo(old);
#endif
}

// Walker callbacks for expression_tree_walker / query_tree_walker (16 made
// them macros taking a typed callback; before, C declared them as "bool (*)()").
#if PG_VERSION_NUM >= 160000
#define FKG_WALKER(fn) ((tree_walker_callback)(void (*)(void))(fn))
#else
#define FKG_WALKER(fn) ((bool (*)())(void (*)(void))(fn))
#endif

// Parse analysis of one raw statement with fixed parameter types (15 renamed it).
inline Query *analyze_query(RawStmt *stmt, const char *sql, const Oid *argtypes, int nargs) {
#if PG_VERSION_NUM >= 150000
  return parse_analyze_fixedparams(stmt, sql, argtypes, nargs, NULL);
#else
  return parse_analyze(stmt, sql, (Oid *)argtypes, nargs, NULL);
#endif
}

}  // namespace fkg::compat
