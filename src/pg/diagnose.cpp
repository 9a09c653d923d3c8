// The diagnostic functions: diagnose_fk_mismatches(), profile_column(),
// fix_plan(), converts() and assert_no_mismatches(). Thin entry points over
// the shared engine (pair_facts), renderer (render) and profile (profile).
#include <algorithm>
#include <map>
#include <tuple>
#include <optional>

#include "catalog_cache.hpp"
#include "catalog_scan.hpp"
#include "citus.hpp"
#include "../core/citus_plans.hpp"
#include "compat.hpp"
#include "fix_plan.hpp"
#include "ignore_list.hpp"
#include "key_plan.hpp"
#include "profile.hpp"
#include "render.hpp"
#include "result_row.hpp"
#include "arguments.hpp"

extern "C" {
#include "catalog/catalog.h"
#include "storage/lmgr.h"
}

using namespace fkg;

namespace fkg {

// ---- Arguments: what each public function accepts ----

// Why the caller may not read a column (schema USAGE, then SELECT on the
// table or the column), or NULL. Plain PostgreSQL code (call under pg_guard).
const char *unreadable_column(Oid rel, AttrNumber att) {
  Oid nsp = get_rel_namespace(rel);
  const char *role = quote_identifier(GetUserNameFromId(GetUserId(), false));
  if (!compat::has_schema_usage(nsp))
    return psprintf("role %s has no USAGE privilege on schema %s", role, quote_identifier(get_namespace_name(nsp)));
  if (pg_class_aclcheck(rel, GetUserId(), ACL_SELECT) != ACLCHECK_OK &&
      pg_attribute_aclcheck(rel, att, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
    return psprintf("role %s may not read %s.%s (no SELECT privilege)", role,
                    quote_qualified_identifier(get_namespace_name(nsp), get_rel_name(rel)),
                    quote_identifier(get_attname(rel, att, false)));
  return NULL;
}

// An error naming the argument when it is NULL.
void require_arg(FunctionCallInfo fcinfo, int n, const char *name, const char *function) {
  if (PG_ARGISNULL(n))
    throw UserError(ERRCODE_NULL_VALUE_NOT_ALLOWED,
                    std::string("argument ") + name + " of fk_guard." + function + "() must not be null");
}

// A table argument: it exists (a regclass can outlive its table), is locked
// against being dropped while we read it (AccessShareLock, as a SELECT takes),
// and is a user's ordinary or partitioned table; anything else is refused with
// a sentence that says why.
void check_table_arg(Oid rel, const char *name, const char *function) {
  pg_guard([rel, name, function]() {
    for (int attempt = 0; attempt < 2; attempt++) {
      if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(rel)))
        ereport(ERROR,
                (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("relation with OID %u does not exist", rel),
                 errdetail("Argument %s of fk_guard.%s() names no table; it may have been dropped.", name, function)));
      if (attempt == 0) LockRelationOid(rel, AccessShareLock);
    }
    HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
    if (!HeapTupleIsValid(tup)) elog(ERROR, "relation with OID %u does not exist", rel);
    Form_pg_class c = (Form_pg_class)GETSTRUCT(tup);
    char relkind = c->relkind;
    Oid nsp = c->relnamespace;
    const char *nspname = get_namespace_name(nsp);
    const char *qualified = quote_qualified_identifier(nspname, pstrdup(NameStr(c->relname)));
    ReleaseSysCache(tup);
    if (IsCatalogNamespace(nsp) || IsToastNamespace(nsp) || strcmp(nspname, "information_schema") == 0)
      ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE), errmsg("%s is a system catalog", qualified),
                      errdetail("pg_fk_guard works on user tables: system catalogs belong to PostgreSQL, cannot "
                                "have foreign keys, and their column types are not to be changed.")));
    const char *what = NULL, *why = NULL;
    switch (relkind) {
      case RELKIND_RELATION:
      case RELKIND_PARTITIONED_TABLE:
        return;
      case RELKIND_VIEW:
        what = "a view";
        why = "A view holds no data of its own and cannot have foreign keys; pass the table it reads from.";
        break;
      case RELKIND_MATVIEW:
        what = "a materialized view";
        why =
            "A materialized view cannot have foreign keys and its columns cannot be converted in place; pass the "
            "table it is built from.";
        break;
      case RELKIND_FOREIGN_TABLE:
        what = "a foreign table";
        why = "A foreign table cannot have foreign keys, and its data lives on another server.";
        break;
      case RELKIND_SEQUENCE:
        what = "a sequence";
        why = "Only tables have foreign keys.";
        break;
      case RELKIND_INDEX:
      case RELKIND_PARTITIONED_INDEX:
        what = "an index";
        why = "Only tables have foreign keys; pass the table the index is on.";
        break;
      default:
        what = "not a table";
        why = "Only tables have foreign keys.";
        break;
    }
    ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE), errmsg("%s is %s", qualified, what), errdetail("%s", why)));
  });
}

// A type argument: it exists and values can have it.
void check_type_arg(Oid type, const char *name, const char *function) {
  pg_guard([type, name, function]() {
    HeapTuple tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(type));
    if (!HeapTupleIsValid(tup))
      ereport(ERROR,
              (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("type with OID %u does not exist", type),
               errdetail("Argument %s of fk_guard.%s() names no type; it may have been dropped.", name, function)));
    Form_pg_type t = (Form_pg_type)GETSTRUCT(tup);
    bool defined = t->typisdefined;
    char typtype = t->typtype;
    ReleaseSysCache(tup);
    if (!defined)
      ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT), errmsg("type %s is only a shell", format_type_be(type))));
    if (typtype == TYPTYPE_PSEUDO)
      ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE), errmsg("%s is a pseudo-type", format_type_be(type)),
                      errdetail("No column has a pseudo-type, so no key can be converted to one.")));
  });
}

struct TypmodCheck {
  Oid type;
  int32 typmod;
  int32 parsed;
};

void parse_typmod_body(void *arg) {
  TypmodCheck *c = (TypmodCheck *)arg;
  Oid t;
  compat::parse_type_string(format_type_with_typemod(c->type, c->typmod), &t, &c->parsed);
}

// A type modifier: -1 (none), or one the type's own modifier syntax gives
// (numeric(10,2), varchar(36) ...): it must survive printing and parsing back.
void check_typmod_arg(Oid type, int32 typmod, const char *name, const char *function) {
  if (typmod == -1) return;
  pg_guard([type, typmod, name, function]() {
    const char *tname = format_type_be(type);
    if (!OidIsValid(get_typmodin(type)))
      ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                      errmsg("type %s takes no type modifier, but %s is %d", tname, name, typmod),
                      errhint("Pass -1 (the default) for no modifier.")));
    TypmodCheck c{type, typmod, -1};
    bool ok = typmod >= 0 && try_in_subtransaction(parse_typmod_body, &c) && c.parsed == typmod;
    if (!ok)
      ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                      errmsg("%d is not a valid type modifier for type %s", typmod, tname),
                      errdetail("Argument %s of fk_guard.%s() must be -1 or a modifier that %s accepts.", name,
                                function, tname),
                      errhint("Take it from the column: pg_attribute.atttypmod, or format_type() to see it.")));
  });
}

// profile_column() and fix_plan() need the figures: an error that names the
// code they would have had to run, and its owner.
UserError not_profiled_error(const ColumnProfile &p, const char *function) {
  return UserError(ERRCODE_INSUFFICIENT_PRIVILEGE,
                   std::string("fk_guard.") + function + "() does not run code owned by another role",
                   "The data was not profiled: " + p.not_profiled_reason +
                       ". pg_fk_guard runs only code built into PostgreSQL or owned by a superuser or by the "
                       "calling role.",
                   "Run it as the role that owns that code (SET ROLE), which then runs with its own privileges.");
}

Datum text_array(const std::vector<std::string> &items) {
  const std::vector<std::string> *ip = &items;
  return pg_guard([ip]() {
    int n = (int)ip->size();
    Datum *elems = (Datum *)palloc(sizeof(Datum) * (n > 0 ? n : 1));
    for (int i = 0; i < n; i++) elems[i] = CStringGetTextDatum((*ip)[i].c_str());
    return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
  });
}

// The single-column primary key of a table, or an error that says what to pass.
AttrNumber primary_key_column(Oid rel) {
  return pg_guard([rel]() {
    Relation r = table_open(rel, AccessShareLock);
    Oid pkindex = compat::primary_key_index(r);
    AttrNumber att = InvalidAttrNumber;
    if (OidIsValid(pkindex)) {
      HeapTuple idx = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(pkindex));
      if (HeapTupleIsValid(idx)) {
        Form_pg_index index = (Form_pg_index)GETSTRUCT(idx);
        if (index->indnkeyatts == 1) att = index->indkey.values[0];
        ReleaseSysCache(idx);
      }
    }
    table_close(r, AccessShareLock);
    if (att == InvalidAttrNumber)
      ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                      errmsg("table %s has no single-column primary key", get_rel_name(rel)),
                      errhint("Name the referenced column.")));
    return att;
  });
}

AttrNumber column_of(Oid rel, Name col) {
  return pg_guard([rel, col]() {
    AttrNumber att = get_attnum(rel, NameStr(*col));
    if (att == InvalidAttrNumber || att < 0)
      ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                      errmsg("column \"%s\" of relation \"%s\" does not exist", NameStr(*col), get_rel_name(rel))));
    return att;
  });
}

std::vector<Oid> namespaces_of(ArrayType *names) {
  struct Raw {
    Oid *oids;
    int n;
  };
  Raw *raw = pg_guard([names]() {
    Raw *r = (Raw *)palloc0(sizeof(Raw));
    Datum *elems;
    bool *nulls;
    int n;
    deconstruct_array(names, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR, &elems, &nulls, &n);
    r->oids = (Oid *)palloc(sizeof(Oid) * (n + 1));
    for (int i = 0; i < n; i++) {
      if (nulls[i]) continue;
      Oid nsp = get_namespace_oid(NameStr(*DatumGetName(elems[i])), true);
      if (OidIsValid(nsp)) r->oids[r->n++] = nsp;
    }
    return r;
  });
  return std::vector<Oid>(raw->oids, raw->oids + raw->n);
}

}  // namespace fkg

namespace {

// ---- diagnose rows ----

struct Row {
  std::string sort_key;
  KeyPair pair;
  bool implied = false;
  Verdict verdict;
  RenderedPair rendered;
  std::optional<ColumnProfile> profile;
  std::string citus_kind;  // a Citus rule refuses the key: its kind (severity error)
};

const char *row_kind(const Row &r) { return r.citus_kind.empty() ? kind_name(r.verdict.kind) : r.citus_kind.c_str(); }
Severity row_severity(const Row &r) { return r.citus_kind.empty() ? r.verdict.severity() : Severity::Error; }

// ---- Citus's rules for a pair (declared: its whole key) ----

struct RawCitusPair {
  bool citus;  // either table is a Citus table
  citus::RuleSide fk, pk;
  int fk_position, pk_position;  // of the distribution columns in the key, -1: not in it
  char on_delete, on_update;
};

RawCitusPair *citus_pair(const KeyPair &p) {
  RawCitusPair *out = (RawCitusPair *)palloc0(sizeof(RawCitusPair));
  out->fk = citus::rule_side(p.referencing_rel);
  out->pk = citus::rule_side(p.referenced_rel);
  out->citus = out->fk.kind != (int)citus_rules::Table::Plain || out->pk.kind != (int)citus_rules::Table::Plain;
  out->fk_position = out->pk_position = -1;
  out->on_delete = out->on_update = 'a';
  if (!out->citus) return out;
  AttrNumber fk_dist = *out->fk.dist_column ? get_attnum(p.referencing_rel, out->fk.dist_column) : InvalidAttrNumber;
  AttrNumber pk_dist = *out->pk.dist_column ? get_attnum(p.referenced_rel, out->pk.dist_column) : InvalidAttrNumber;
  if (!OidIsValid(p.constraint)) {
    if (fk_dist != InvalidAttrNumber && fk_dist == p.referencing_att) out->fk_position = 0;
    if (pk_dist != InvalidAttrNumber && pk_dist == p.referenced_att) out->pk_position = 0;
    return out;
  }
  Relation rel = table_open(ConstraintRelationId, AccessShareLock);
  HeapTuple tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(p.constraint));
  if (HeapTupleIsValid(tup)) {
    Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
    out->on_delete = con->confdeltype;
    out->on_update = con->confupdtype;
    int16 *fk, *pk;
    int n = constraint_key_columns(tup, RelationGetDescr(rel), &fk, &pk);
    for (int i = 0; i < n; i++) {
      if (fk_dist != InvalidAttrNumber && fk[i] == fk_dist) out->fk_position = i;
      if (pk_dist != InvalidAttrNumber && pk[i] == pk_dist) out->pk_position = i;
    }
    ReleaseSysCache(tup);
  }
  table_close(rel, AccessShareLock);
  return out;
}

// The rule Citus refuses the pair's key by, if any (the facts read only
// when Citus is installed).
std::optional<citus_rules::Refusal> citus_refusal(const KeyPair &p) {
  const KeyPair *pp = &p;
  RawCitusPair *c = pg_guard([pp]() { return citus_pair(*pp); });
  if (!c->citus) return std::nullopt;
  struct RawTables {
    const char *fk, *pk;
  };
  RawTables t = pg_guard([pp]() {
    return RawTables{catcache::regclass_text(pp->referencing_rel), catcache::regclass_text(pp->referenced_rel)};
  });
  citus_rules::Key key;
  key.self = p.referencing_rel == p.referenced_rel;
  key.on_delete = c->on_delete;
  key.on_update = c->on_update;
  key.referencing = citus::to_rule_side(c->fk, t.fk);
  key.referenced = citus::to_rule_side(c->pk, t.pk);
  key.referencing.dist_position = c->fk_position;
  key.referenced.dist_position = c->pk_position;
  return citus_rules::check(key);
}

// A row for a key that Citus refuses: once per key, with Citus's kind,
// message and the fix that works on Citus.
Row citus_row(const KeyPair &p, bool implied, const citus_rules::Refusal &refusal, const JudgedPair &judged) {
  Row row;
  row.pair = p;
  row.implied = implied;
  row.verdict = judged.verdict;
  row.rendered = render_pair(p, judged);
  row.citus_kind = refusal.kind;
  row.rendered.detail = citus_plans::refusal_detail(refusal);
  row.rendered.suggested_fix = citus_plans::refusal_fix(refusal);
  return row;
}

std::string sort_key_of(const KeyPair &p) {
  const KeyPair *pp = &p;
  return pg_guard([pp]() {
    return psprintf("%s.%s\x1f%s", catcache::namespace_name(catcache::rel_namespace(pp->referencing_rel)),
                    catcache::rel_name(pp->referencing_rel),
                    OidIsValid(pp->constraint) ? catcache::constraint_name(pp->constraint) : "");
  });
}

bool identical_columns(const KeyPair &p) {
  return p.referencing.type == p.referenced.type && p.referencing.typmod == p.referenced.typmod &&
         p.referencing.collation == p.referenced.collation;
}

// judge_pair() depends only on the two columns' types, typmods and
// collations and on the operator class: judged once per combination.
struct PairJudge {
  std::map<std::tuple<Oid, int32, Oid, Oid, int32, Oid, Oid>, JudgedPair> memo;
  const JudgedPair &operator()(const KeyPair &p) {
    auto key = std::make_tuple(p.referencing.type, p.referencing.typmod, p.referencing.collation, p.referenced.type,
                               p.referenced.typmod, p.referenced.collation, p.opclass);
    auto it = memo.find(key);
    if (it == memo.end()) it = memo.emplace(key, judge_pair(p.referencing, p.referenced, p.opclass)).first;
    return it->second;
  }
};

std::vector<Row> collect_rows(bool include_implied, const std::vector<Oid> &search_path, bool check_data) {
  catcache::Scope catalog;
  PairJudge judge;
  std::vector<Row> rows;
  const bool on_citus = pg_guard([]() { return citus::installed(); });
  std::vector<Oid> citus_refused;  // declared keys reported once, by Citus's rules
  for (const KeyPair &p : declared_key_pairs()) {
    if (on_citus) {
      if (std::find(citus_refused.begin(), citus_refused.end(), p.constraint) != citus_refused.end()) continue;
      if (std::optional<citus_rules::Refusal> r = citus_refusal(p)) {
        citus_refused.push_back(p.constraint);
        rows.push_back(citus_row(p, false, *r, judge(p)));
        continue;
      }
    }
    // PostgreSQL accepted this constraint; identical types get no kind.
    if (identical_columns(p)) continue;
    const JudgedPair &judged = judge(p);
    if (judged.verdict.kind == Kind::None) continue;
    Row row;
    row.pair = p;
    row.verdict = judged.verdict;
    row.rendered = render_pair(p, judged);
    rows.push_back(std::move(row));
  }
  if (include_implied) {
    for (const ImpliedPair &ip : implied_key_pairs(search_path)) {
      const KeyPair &p = ip.pair;
      std::optional<citus_rules::Refusal> refused = on_citus ? citus_refusal(p) : std::nullopt;
      if (refused) {
        Row row = citus_row(p, true, *refused, judge(p));
        std::string why = implied_detail_prefix(pg_guard([&p]() { return catcache::regclass_text(p.referenced_rel); }),
                                                ip.other_candidates);
        row.rendered.detail = why + row.rendered.detail;
        rows.push_back(std::move(row));
        continue;
      }
      if (identical_columns(p)) continue;
      const JudgedPair &judged = judge(p);
      if (judged.verdict.kind == Kind::None) continue;
      Row row;
      row.pair = p;
      row.implied = true;
      row.verdict = judged.verdict;
      row.rendered = render_pair(p, judged);
      std::string why = implied_detail_prefix(pg_guard([&p]() { return catcache::regclass_text(p.referenced_rel); }),
                                              ip.other_candidates);
      row.rendered.detail = why + row.rendered.detail;
      rows.push_back(std::move(row));
    }
  }
  // What the ignore list (fk_guard.ignored) silences.
  IgnoreList ignore = IgnoreList::load();
  if (!ignore.empty())
    rows.erase(std::remove_if(rows.begin(), rows.end(),
                              [&ignore](const Row &r) {
                                const KeyPair *p = &r.pair;
                                struct RawNames {
                                  const char *column, *constraint;
                                };
                                RawNames n = pg_guard([p]() {
                                  return RawNames{
                                      catcache::column_name(p->referencing_rel, p->referencing_att),
                                      OidIsValid(p->constraint) ? catcache::constraint_name(p->constraint) : NULL};
                                });
                                return ignore.covers("type_mismatch", p->referencing_rel, {n.column},
                                                     n.constraint ? n.constraint : "");
                              }),
               rows.end());
  for (Row &row : rows) {
    row.sort_key = sort_key_of(row.pair);
    const KeyPair &p = row.pair;
    if (check_data) {
      // A table the caller may not read leaves this row's data columns NULL,
      // and so does code the profile would have to run that is not trusted;
      // the detail says which.
      const char *unreadable = pg_guard([&p]() {
        const char *r = unreadable_column(p.referencing_rel, p.referencing_att);
        return r ? r : unreadable_column(p.referenced_rel, p.referenced_att);
      });
      if (unreadable) {
        row.profile = ColumnProfile{};
        row.profile->not_profiled_reason = unreadable;
      } else {
        row.profile = profile_column(p.referencing_rel, p.referencing_att, p.referenced.type, p.referenced.typmod,
                                     p.referenced_rel, p.referenced_att, 3);
      }
      if (!row.profile->profiled)
        row.rendered.detail += " The data was not profiled: " + row.profile->not_profiled_reason + ".";
    }
    const ColumnProfile *profiled = row.profile && row.profile->profiled ? &*row.profile : nullptr;
    // Implied pairs and incompatible ones need the full plan (data, then the
    // constraint); a declared soft mismatch is fixed by converting the column,
    // which makes PostgreSQL rebuild the constraint itself.
    // A pair no conversion can fix (an array, composite, range or document
    // against a scalar key) keeps render_pair()'s explanation instead.
    if (row.citus_kind == "citus_distribution_type") {
      // The distribution column takes the key's type: the plan that
      // distributes the table again (the hint's text when none can).
      try {
        row.rendered.suggested_fix = build_fix_plan(p.referencing_rel, p.referencing_att, p.referenced_rel,
                                                    p.referenced_att, OnUnconvertible::Fail, profiled, false);
      } catch (const UserError &) {
      }
    }
    if (!row.citus_kind.empty()) continue;  // Citus's fix, not a type conversion
    std::string blockers = column_blockers_of(p.referencing_rel, p.referencing_att);
    if (!blockers.empty() && !row.rendered.whole_values) {
      row.rendered.suggested_fix = no_fix_for_blockers(blockers);
    } else if ((row.implied || row.verdict.kind == Kind::Incompatible) && !row.rendered.whole_values) {
      // A pair that no plan can repair (a view uses the column, say) keeps
      // its row: the reason takes the place of the script.
      try {
        row.rendered.suggested_fix = build_fix_plan(p.referencing_rel, p.referencing_att, p.referenced_rel,
                                                    p.referenced_att, OnUnconvertible::Fail, profiled, false);
      } catch (const UserError &e) {
        row.rendered.suggested_fix = no_fix_plan_script(PlanRefused("", e.what(), e.detail(), e.hint()));
      }
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) { return a.sort_key < b.sort_key; });
  return rows;
}

// One row of fk_guard.mismatch, in its column order.
void put_row(ReturnSetInfo *rsinfo, const Row &row) {
  const Row *r = &row;
  const ColumnProfile *pr = r->profile && r->profile->profiled ? &*r->profile : nullptr;
  // The sample arrays are built from C++ vectors here; the columns go in below.
  Datum sample_unconvertible = pr ? text_array(pr->sample_unconvertible) : (Datum)0;
  Datum sample_orphaned = pr ? text_array(pr->sample_orphaned) : (Datum)0;
  pg_guard([rsinfo, r, pr, sample_unconvertible, sample_orphaned]() {
    const KeyPair &p = r->pair;
    RowBuilder row(rsinfo->setDesc);
    row.add_text(r->implied ? "implied" : "declared")
        .add_name(OidIsValid(p.constraint) ? catcache::constraint_name(p.constraint) : NULL)
        .add(ObjectIdGetDatum(p.referencing_rel))
        .add_name(catcache::column_name(p.referencing_rel, p.referencing_att))
        .add_text(r->rendered.referencing_type.c_str())
        .add(ObjectIdGetDatum(p.referenced_rel))
        .add_name(catcache::column_name(p.referenced_rel, p.referenced_att))
        .add_text(r->rendered.referenced_type.c_str())
        .add_text(row_kind(*r))
        .add_text(severity_name(row_severity(*r)))
        .add_text(r->rendered.detail.c_str())
        .add_text(r->rendered.suggested_fix.c_str());
    // The data profile (check_data): NULL when not profiled.
    if (pr)
      row.add(Int64GetDatum(pr->rows_total))
          .add(Int64GetDatum(pr->rows_null))
          .add(Int64GetDatum(pr->rows_convertible))
          .add(Int64GetDatum(pr->rows_unconvertible))
          .add(Int64GetDatum(pr->rows_orphaned))
          .add(sample_unconvertible)
          .add(sample_orphaned)
          .add_text(pr->conversion.c_str());
    else
      row.add_nulls(8);
    row.put_into(rsinfo->setResult);
  });
}

int severity_rank(Severity s) {
  switch (s) {
    case Severity::Error:
      return 0;
    case Severity::Warning:
      return 1;
    case Severity::Notice:
      return 2;
    case Severity::None:
      return 3;
  }
  return 3;
}

}  // namespace

// fk_guard.diagnose_fk_mismatches_in(include_implied, check_data, search_path):
// the body of diagnose_fk_mismatches(), which passes the caller's search_path.
FKG_SQL_FUNCTION(diagnose_fk_mismatches_in) {
  require_arg(fcinfo, 0, "include_implied", "diagnose_fk_mismatches");
  require_arg(fcinfo, 1, "check_data", "diagnose_fk_mismatches");
  require_arg(fcinfo, 2, "search_path", "diagnose_fk_mismatches_in");
  bool include_implied = PG_GETARG_BOOL(0);
  bool check_data = PG_GETARG_BOOL(1);
  std::vector<Oid> path = namespaces_of(PG_GETARG_ARRAYTYPE_P(2));
  pg_guard([fcinfo]() { compat::init_materialized_srf(fcinfo); });
  ReturnSetInfo *rsinfo = (ReturnSetInfo *)fcinfo->resultinfo;
  catcache::Scope catalog;
  for (const Row &row : collect_rows(include_implied, path, check_data)) put_row(rsinfo, row);
  return (Datum)0;
}

// fk_guard.assert_no_mismatches_in(min_severity, search_path): raises an
// error listing every mismatch at or above the severity.
FKG_SQL_FUNCTION(assert_no_mismatches_in) {
  require_arg(fcinfo, 0, "min_severity", "assert_no_mismatches");
  require_arg(fcinfo, 1, "search_path", "assert_no_mismatches_in");
  std::string min = pg_guard([fcinfo]() { return text_to_cstring(PG_GETARG_TEXT_PP(0)); });
  Severity threshold;
  if (!parse_severity(min, &threshold))
    throw UserError(ERRCODE_INVALID_PARAMETER_VALUE, "unknown severity \"" + min + "\"", "",
                    "Use error, warning or notice.");
  std::vector<Oid> path = namespaces_of(PG_GETARG_ARRAYTYPE_P(1));
  catcache::Scope catalog;
  std::vector<Row> rows = collect_rows(true, path, false);
  std::string detail;
  int count = 0;
  for (const Row &r : rows) {
    if (severity_rank(row_severity(r)) > severity_rank(threshold)) continue;
    count++;
    const KeyPair *p = &r.pair;
    const char *line = pg_guard([p]() {
      const char *con = OidIsValid(p->constraint) ? quote_identifier(catcache::constraint_name(p->constraint)) : NULL;
      return psprintf("%s.%s -> %s.%s%s%s", catcache::regclass_text(p->referencing_rel),
                      quote_identifier(catcache::column_name(p->referencing_rel, p->referencing_att)),
                      catcache::regclass_text(p->referenced_rel),
                      quote_identifier(catcache::column_name(p->referenced_rel, p->referenced_att)),
                      con ? ", constraint " : ", implied by its name", con ? con : "");
    });
    detail += (detail.empty() ? "" : "\n") + std::string(line) + ": " + r.rendered.referencing_type + " -> " +
              r.rendered.referenced_type + " (" + row_kind(r) + ", " + severity_name(row_severity(r)) + ").";
  }
  if (count > 0)
    throw UserError(
        ERRCODE_DATATYPE_MISMATCH,
        std::to_string(count) + (count == 1 ? " foreign key column pair does" : " foreign key column pairs do") +
            " not match (severity " + min + " or above)",
        detail, "SELECT * FROM fk_guard.diagnose_fk_mismatches() explains each one and gives the SQL that fixes it.");
  PG_RETURN_VOID();
}

// fk_guard.profile_column(tbl, col, target, referenced_table, referenced_column, samples)
FKG_SQL_FUNCTION(profile_column) {
  require_arg(fcinfo, 0, "tbl", "profile_column");
  require_arg(fcinfo, 1, "col", "profile_column");
  require_arg(fcinfo, 2, "target", "profile_column");
  require_arg(fcinfo, 5, "samples", "profile_column");
  if (PG_ARGISNULL(3) && !PG_ARGISNULL(4))
    throw UserError(ERRCODE_NULL_VALUE_NOT_ALLOWED,
                    "argument referenced_column of fk_guard.profile_column() needs referenced_table", "",
                    "Pass referenced_table too, or neither to count no orphans.");
  Oid rel = PG_GETARG_OID(0);
  check_table_arg(rel, "tbl", "profile_column");
  AttrNumber att = column_of(rel, PG_GETARG_NAME(1));
  Oid target = PG_GETARG_OID(2);
  check_type_arg(target, "target", "profile_column");
  int32 typmod = -1;
  Oid refrel = PG_ARGISNULL(3) ? InvalidOid : PG_GETARG_OID(3);
  AttrNumber refatt = InvalidAttrNumber;
  if (!PG_ARGISNULL(3)) check_table_arg(refrel, "referenced_table", "profile_column");
  if (OidIsValid(refrel)) {
    refatt = PG_ARGISNULL(4) ? primary_key_column(refrel) : column_of(refrel, PG_GETARG_NAME(4));
    pg_guard([refrel, refatt, target, &typmod]() {
      Oid t;
      Oid coll;
      int32 tm;
      get_atttypetypmodcoll(refrel, refatt, &t, &tm, &coll);
      if (getBaseType(t) == target) typmod = tm;
    });
  }
  int samples = PG_GETARG_INT32(5);
  if (samples < 0 || samples > 1000)
    throw UserError(ERRCODE_INVALID_PARAMETER_VALUE, "samples must be between 0 and 1000");
  ColumnProfile p = profile_column(rel, att, target, typmod, refrel, refatt, samples);
  if (!p.profiled) throw not_profiled_error(p, "profile_column");

  Datum sample_unconvertible = text_array(p.sample_unconvertible);
  Datum sample_orphaned = text_array(p.sample_orphaned);
  const ColumnProfile *pp = &p;
  return pg_guard([fcinfo, pp, sample_unconvertible, sample_orphaned]() {
    TupleDesc tupdesc;
    if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
      elog(ERROR, "return type must be a row type");
    tupdesc = BlessTupleDesc(tupdesc);
    // Without a referenced key there are no orphans to count: NULL.
    bool no_orphans = !pp->orphans_checked;
    RowBuilder row(tupdesc);
    row.add(Int64GetDatum(pp->rows_total))
        .add(Int64GetDatum(pp->rows_null))
        .add(Int64GetDatum(pp->rows_convertible))
        .add(Int64GetDatum(pp->rows_unconvertible))
        .add(Int64GetDatum(pp->rows_orphaned), no_orphans)
        .add(sample_unconvertible)
        .add(sample_orphaned, no_orphans)
        .add_text(pp->conversion.c_str());
    return HeapTupleGetDatum(row.form_tuple());
  });
}

// fk_guard.fix_plan(referencing_table, referencing_column, referenced_table,
//                   referenced_column, on_unconvertible, allow_cascade)
// (1.0's five-argument declaration calls the same entry point.)
FKG_SQL_FUNCTION(fix_plan) {
  require_arg(fcinfo, 0, "referencing_table", "fix_plan");
  require_arg(fcinfo, 1, "referencing_column", "fix_plan");
  require_arg(fcinfo, 2, "referenced_table", "fix_plan");
  require_arg(fcinfo, 4, "on_unconvertible", "fix_plan");
  if (PG_NARGS() > 5) require_arg(fcinfo, 5, "allow_cascade", "fix_plan");
  Oid rel = PG_GETARG_OID(0);
  check_table_arg(rel, "referencing_table", "fix_plan");
  AttrNumber att = column_of(rel, PG_GETARG_NAME(1));
  Oid refrel = PG_GETARG_OID(2);
  check_table_arg(refrel, "referenced_table", "fix_plan");
  AttrNumber refatt = PG_ARGISNULL(3) ? primary_key_column(refrel) : column_of(refrel, PG_GETARG_NAME(3));
  std::string mode_name = pg_guard([fcinfo]() { return text_to_cstring(PG_GETARG_TEXT_PP(4)); });
  OnUnconvertible mode;
  if (!parse_on_unconvertible(mode_name, &mode))
    throw UserError(ERRCODE_INVALID_PARAMETER_VALUE, "unknown on_unconvertible \"" + mode_name + "\"", "",
                    "Use fail, null, delete or map.");
  struct Target {
    Oid type;
    int32 typmod;
  };
  Target t = pg_guard([refrel, refatt]() {
    Target r;
    Oid coll;
    get_atttypetypmodcoll(refrel, refatt, &r.type, &r.typmod, &coll);
    r.type = getBaseType(r.type);
    return r;
  });
  bool allow_cascade = PG_NARGS() > 5 && !PG_ARGISNULL(5) && PG_GETARG_BOOL(5);
  const char *constraint_name = PG_NARGS() > 6 && !PG_ARGISNULL(6) ? NameStr(*PG_GETARG_NAME(6)) : nullptr;
  ColumnProfile prof = profile_column(rel, att, t.type, t.typmod, refrel, refatt, 3);
  if (!prof.profiled) throw not_profiled_error(prof, "fix_plan");
  std::string plan = build_fix_plan(rel, att, refrel, refatt, mode, &prof, allow_cascade, constraint_name);
  const char *s = plan.c_str();
  return pg_guard([s]() { return CStringGetTextDatum(s); });
}

// fk_guard.change_key_type_plan(referenced_table, referenced_column, new_type,
// on_unconvertible, new_key_expression, include_implied, online, batch_size,
// batch_pause): the script that changes a key's type with every column that
// references it; online: in five phases, without a long lock.
FKG_SQL_FUNCTION(change_key_type_plan) {
  const char *fn = "change_key_type_plan";
  require_arg(fcinfo, 0, "referenced_table", fn);
  require_arg(fcinfo, 1, "referenced_column", fn);
  require_arg(fcinfo, 2, "new_type", fn);
  require_arg(fcinfo, 3, "on_unconvertible", fn);
  require_arg(fcinfo, 5, "include_implied", fn);
  require_arg(fcinfo, 6, "online", fn);
  require_arg(fcinfo, 7, "batch_size", fn);
  require_arg(fcinfo, 8, "batch_pause", fn);
  Oid rel = PG_GETARG_OID(0);
  check_table_arg(rel, "referenced_table", fn);
  AttrNumber att = column_of(rel, PG_GETARG_NAME(1));
  Oid new_type = PG_GETARG_OID(2);
  check_type_arg(new_type, "new_type", fn);
  std::string mode_name = pg_guard([fcinfo]() { return text_to_cstring(PG_GETARG_TEXT_PP(3)); });
  OnUnconvertible mode;
  if (!parse_on_unconvertible(mode_name, &mode))
    throw UserError(ERRCODE_INVALID_PARAMETER_VALUE, "unknown on_unconvertible \"" + mode_name + "\"", "",
                    "Use fail, null or delete.");
  const char *expr = PG_ARGISNULL(4) ? nullptr : pg_guard([fcinfo]() { return text_to_cstring(PG_GETARG_TEXT_PP(4)); });
  OnlineOptions online;
  online.enabled = PG_GETARG_BOOL(6);
  online.batch_size = PG_GETARG_INT32(7);
  if (online.batch_size < 1)
    throw UserError(ERRCODE_INVALID_PARAMETER_VALUE, "batch_size must be at least 1", "",
                    "The backfill updates about batch_size rows per transaction.");
  bool negative = pg_guard([fcinfo]() {
    Interval *i = PG_GETARG_INTERVAL_P(8);
    return i->month < 0 || i->day < 0 || i->time < 0;
  });
  if (negative)
    throw UserError(ERRCODE_INVALID_PARAMETER_VALUE, "batch_pause must not be negative", "",
                    "The backfill sleeps batch_pause after each batch; '0' does not pause.");
  double seconds = pg_guard([fcinfo]() {
    return DatumGetFloat8(DirectFunctionCall2(interval_part, CStringGetTextDatum("epoch"), PG_GETARG_DATUM(8)));
  });
  char pause[64];
  snprintf(pause, sizeof pause, "%.6g", seconds);
  online.batch_pause = pause;
  std::string plan = build_key_type_plan(rel, att, new_type, mode, expr, PG_GETARG_BOOL(5), online);
  const char *s = plan.c_str();
  return pg_guard([s]() { return CStringGetTextDatum(s); });
}

// fk_guard.converts(value anyelement, target regtype, target_typmod int):
// does the conversion profile_column() and fix_plan() use succeed for this value?
// A NULL value gives NULL (the fix scripts rely on it: NULLs are left alone).
FKG_SQL_FUNCTION(converts) {
  require_arg(fcinfo, 1, "target", "converts");
  require_arg(fcinfo, 2, "target_typmod", "converts");
  Oid target = PG_GETARG_OID(1);
  int32 typmod = PG_GETARG_INT32(2);
  check_type_arg(target, "target", "converts");
  check_typmod_arg(target, typmod, "target_typmod", "converts");
  if (PG_ARGISNULL(0)) PG_RETURN_NULL();
  Oid source = pg_guard([fcinfo]() { return getBaseType(get_fn_expr_argtype(fcinfo->flinfo, 0)); });
  PG_RETURN_BOOL(value_converts(source, PG_GETARG_DATUM(0), target, typmod));
}
