// PostgreSQL version differences, in one place.
#pragma once

#include "prelude.hpp"

namespace fkg::compat {

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

}  // namespace fkg::compat
