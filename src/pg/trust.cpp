#include "trust.hpp"

#include "compat.hpp"

extern "C" {
#include "access/transam.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_range.h"
#include "nodes/nodeFuncs.h"
#include "parser/analyze.h"
}

namespace fkg {

namespace {

// Nesting of types (domains over arrays of composites ...) followed at most.
constexpr int kMaxTypeDepth = 16;

struct Walk {
  TrustCaller caller;
  int depth;
  const char *reason;  // set when something untrusted was found
  Oid bad_function;    // set by function_checker
};

const char *role_name(Oid role) {
  const char *name = GetUserNameFromId(role, true);
  return name ? quote_identifier(name) : psprintf("with OID %u", role);
}

// Trusted: built in, owned by a superuser, or (when allowed) by the caller.
// Sets *owner to the function's owner when it is not built in.
bool function_trusted(Oid funcid, TrustCaller caller, Oid *owner) {
  *owner = InvalidOid;
  if (!OidIsValid(funcid) || funcid < FirstNormalObjectId) return true;
  HeapTuple tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
  if (!HeapTupleIsValid(tup)) return false;
  *owner = ((Form_pg_proc)GETSTRUCT(tup))->proowner;
  ReleaseSysCache(tup);
  if (superuser_arg(*owner)) return true;
  return caller == TrustCaller::Yes && *owner == GetUserId();
}

// "function public.f(mood), owned by alice": the name schema-qualified, the
// argument types as format_type_be() shows them.
const char *function_and_owner(Oid funcid) {
  HeapTuple tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
  if (!HeapTupleIsValid(tup)) return psprintf("function with OID %u", funcid);
  Form_pg_proc proc = (Form_pg_proc)GETSTRUCT(tup);
  StringInfoData buf;
  initStringInfo(&buf);
  appendStringInfo(&buf, "function %s(",
                   quote_qualified_identifier(get_namespace_name(proc->pronamespace), NameStr(proc->proname)));
  for (int i = 0; i < proc->pronargs; i++)
    appendStringInfo(&buf, "%s%s", i ? ", " : "", format_type_be(proc->proargtypes.values[i]));
  appendStringInfo(&buf, "), owned by %s", role_name(proc->proowner));
  ReleaseSysCache(tup);
  return buf.data;
}

bool untrusted_function(Oid funcid, Walk *w) {
  Oid owner;
  return !function_trusted(funcid, w->caller, &owner);
}

extern "C" bool function_checker(Oid funcid, void *arg) {
  Walk *w = (Walk *)arg;
  if (!untrusted_function(funcid, w)) return false;
  w->bad_function = funcid;
  return true;
}

// The type a domain is declared over (itself possibly a domain), or InvalidOid.
Oid domain_base_type(Oid type) {
  HeapTuple tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(type));
  if (!HeapTupleIsValid(tup)) return InvalidOid;
  Form_pg_type t = (Form_pg_type)GETSTRUCT(tup);
  Oid base = t->typtype == TYPTYPE_DOMAIN ? t->typbasetype : InvalidOid;
  ReleaseSysCache(tup);
  return base;
}

const char *type_io_reason(Oid type, Walk *w);
bool trust_walker(Node *node, Walk *w);

// The CHECK constraints of one domain (not of its base domains), read from
// pg_constraint as stored: not through the type cache, whose loading would
// plan the expressions and could evaluate a constant function call.
const char *domain_check_reason(Oid domain, Walk *w) {
  const char *reason = NULL;
  Relation conrel = table_open(ConstraintRelationId, AccessShareLock);
  ScanKeyData key;
  ScanKeyInit(&key, Anum_pg_constraint_contypid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(domain));
  SysScanDesc scan = systable_beginscan(conrel, ConstraintTypidIndexId, true, NULL, 1, &key);
  HeapTuple tup;
  while (reason == NULL && (tup = systable_getnext(scan)) != NULL) {
    Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
    if (con->contype != CONSTRAINT_CHECK) continue;
    bool isnull;
    Datum bin = heap_getattr(tup, Anum_pg_constraint_conbin, RelationGetDescr(conrel), &isnull);
    if (isnull) continue;
    Node *expr = (Node *)stringToNode(TextDatumGetCString(bin));
    Walk inner{w->caller, w->depth + 1, NULL, InvalidOid};
    if (trust_walker(expr, &inner))
      reason = OidIsValid(inner.bad_function)
                   ? psprintf("the CHECK constraint %s of domain %s calls user-defined code (%s)",
                              quote_identifier(NameStr(con->conname)), format_type_be(domain),
                              function_and_owner(inner.bad_function))
                   : psprintf("the CHECK constraint %s of domain %s calls user-defined code: %s",
                              quote_identifier(NameStr(con->conname)), format_type_be(domain), inner.reason);
  }
  systable_endscan(scan);
  table_close(conrel, AccessShareLock);
  return reason;
}

const char *type_io_reason(Oid type, Walk *w) {
  if (w->depth > kMaxTypeDepth) return NULL;
  HeapTuple tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(type));
  if (!HeapTupleIsValid(tup)) return psprintf("type with OID %u does not exist", type);
  Form_pg_type t = (Form_pg_type)GETSTRUCT(tup);
  Oid input = t->typinput, output = t->typoutput, base = t->typbasetype, elem = t->typelem, relid = t->typrelid;
  char typtype = t->typtype;
  bool array = OidIsValid(elem) && t->typlen == -1;
  ReleaseSysCache(tup);
  Walk inner{w->caller, w->depth + 1, NULL, InvalidOid};
  if (untrusted_function(input, w))
    return psprintf("the input function of type %s is user-defined (%s)", format_type_be(type),
                    function_and_owner(input));
  if (untrusted_function(output, w))
    return psprintf("the output function of type %s is user-defined (%s)", format_type_be(type),
                    function_and_owner(output));
  const char *r = NULL;
  if (typtype == TYPTYPE_DOMAIN) {
    r = domain_check_reason(type, w);
    if (r == NULL) r = type_io_reason(base, &inner);
  } else if (array) {
    r = type_io_reason(elem, &inner);
  } else if (OidIsValid(relid)) {
    HeapTuple reltup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    int natts = 0;
    if (HeapTupleIsValid(reltup)) {
      natts = ((Form_pg_class)GETSTRUCT(reltup))->relnatts;
      ReleaseSysCache(reltup);
    }
    for (AttrNumber a = 1; r == NULL && a <= natts; a++) {
      HeapTuple att = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(a));
      if (!HeapTupleIsValid(att)) continue;
      Form_pg_attribute attr = (Form_pg_attribute)GETSTRUCT(att);
      Oid atttype = attr->atttypid;
      bool dropped = attr->attisdropped;
      ReleaseSysCache(att);
      if (!dropped) r = type_io_reason(atttype, &inner);
    }
  } else if (typtype == TYPTYPE_RANGE) {
    HeapTuple rng = SearchSysCache1(RANGETYPE, ObjectIdGetDatum(type));
    if (HeapTupleIsValid(rng)) {
      Form_pg_range range = (Form_pg_range)GETSTRUCT(rng);
      Oid subtype = range->rngsubtype, canonical = range->rngcanonical;
      ReleaseSysCache(rng);
      if (untrusted_function(canonical, w))
        r = psprintf("the canonical function of range type %s is user-defined (%s)", format_type_be(type),
                     function_and_owner(canonical));
      else
        r = type_io_reason(subtype, &inner);
    }
  } else if (typtype == TYPTYPE_MULTIRANGE) {
    r = type_io_reason(get_multirange_range(type), &inner);
  }
  return r;
}

const char *operator_reason(Oid opno, Oid funcid) {
  return psprintf("the operator %s is user-defined (%s)", format_operator(opno), function_and_owner(funcid));
}

bool trust_walker(Node *node, Walk *w) {
  if (node == NULL) return false;
  if (IsA(node, Query)) return query_tree_walker((Query *)node, FKG_WALKER(trust_walker), w, 0);
  switch (nodeTag(node)) {
    case T_FuncExpr: {
      FuncExpr *f = (FuncExpr *)node;
      if (untrusted_function(f->funcid, w)) {
        w->bad_function = f->funcid;
        bool cast = f->funcformat == COERCE_EXPLICIT_CAST || f->funcformat == COERCE_IMPLICIT_CAST;
        if (cast && f->args != NIL)
          w->reason = psprintf("the cast from %s to %s is user-defined (%s)",
                               format_type_be(exprType((Node *)linitial(f->args))), format_type_be(f->funcresulttype),
                               function_and_owner(f->funcid));
        else
          w->reason = psprintf("it would call user-defined code (%s)", function_and_owner(f->funcid));
        return true;
      }
      break;
    }
    case T_OpExpr:
    case T_DistinctExpr:
    case T_NullIfExpr: {
      OpExpr *op = (OpExpr *)node;
      set_opfuncid(op);
      if (untrusted_function(op->opfuncid, w)) {
        w->bad_function = op->opfuncid;
        w->reason = operator_reason(op->opno, op->opfuncid);
        return true;
      }
      break;
    }
    case T_ScalarArrayOpExpr: {
      ScalarArrayOpExpr *op = (ScalarArrayOpExpr *)node;
      set_sa_opfuncid(op);
      if (untrusted_function(op->opfuncid, w)) {
        w->bad_function = op->opfuncid;
        w->reason = operator_reason(op->opno, op->opfuncid);
        return true;
      }
      break;
    }
    case T_CoerceViaIO: {
      CoerceViaIO *io = (CoerceViaIO *)node;
      Walk inner{w->caller, w->depth + 1, NULL, InvalidOid};
      const char *r = type_io_reason(exprType((Node *)io->arg), &inner);
      if (r == NULL) r = type_io_reason(io->resulttype, &inner);
      if (r != NULL) {
        w->reason = psprintf("the conversion from %s to %s goes through text, and %s",
                             format_type_be(exprType((Node *)io->arg)), format_type_be(io->resulttype), r);
        return true;
      }
      break;
    }
    case T_CoerceToDomain: {
      CoerceToDomain *cd = (CoerceToDomain *)node;
      Walk inner{w->caller, w->depth + 1, NULL, InvalidOid};
      // Every domain in the stack: CoerceToDomain checks the base domains' constraints too.
      const char *r = NULL;
      for (Oid t = cd->resulttype; r == NULL && OidIsValid(t) && inner.depth <= kMaxTypeDepth; inner.depth++) {
        r = domain_check_reason(t, &inner);
        t = domain_base_type(t);
      }
      if (r != NULL) {
        w->reason = r;
        return true;
      }
      break;
    }
    default:
      if (check_functions_in_node(node, function_checker, w)) {
        w->reason = psprintf("it would call user-defined code (%s)", function_and_owner(w->bad_function));
        return true;
      }
      break;
  }
  return expression_tree_walker(node, FKG_WALKER(trust_walker), w);
}

}  // namespace

const char *untrusted_code_in_type_io(Oid type, TrustCaller caller) {
  Walk w{caller, 0, NULL, InvalidOid};
  return type_io_reason(type, &w);
}

namespace {

// An error while parsing one of our queries points into that query, not into
// the caller's statement (as SPI does for the queries it runs).
extern "C" void query_error_callback(void *arg) {
  int position = geterrposition();
  if (position > 0) {
    errposition(0);
    internalerrposition(position);
    internalerrquery((const char *)arg);
  }
}

const char *check_query(const char *sql, int nargs, const Oid *argtypes, TrustCaller caller) {
  List *raw = raw_parser(sql, RAW_PARSE_DEFAULT);
  ListCell *lc;
  foreach (lc, raw) {
    Query *q = compat::analyze_query((RawStmt *)lfirst(lc), sql, argtypes, nargs);
    Walk w{caller, 0, NULL, InvalidOid};
    if (trust_walker((Node *)q, &w)) return w.reason;
    ListCell *tc;
    foreach (tc, q->targetList) {
      TargetEntry *te = (TargetEntry *)lfirst(tc);
      if (te->resjunk) continue;
      const char *r = untrusted_code_in_type_io(exprType((Node *)te->expr), caller);
      if (r != NULL) return r;
    }
  }
  return NULL;
}

}  // namespace

const char *untrusted_code_in_query(const char *sql, int nargs, const Oid *argtypes, TrustCaller caller) {
  ErrorContextCallback callback;
  callback.callback = query_error_callback;
  callback.arg = (void *)sql;
  callback.previous = error_context_stack;
  error_context_stack = &callback;
  // An error unwinds past this frame; PostgreSQL resets error_context_stack
  // to the catcher's value (PG_TRY saves it).
  const char *reason = check_query(sql, nargs, argtypes, caller);
  error_context_stack = callback.previous;
  return reason;
}

}  // namespace fkg
