// The diagnostic functions: diagnose_fk_mismatches(), profile_column(),
// fix_plan(), converts() and assert_no_mismatches(). Thin entry points over
// the shared engine (pair_facts), renderer (render) and profile (profile).
#include <algorithm>
#include <optional>

#include "catalog_scan.hpp"
#include "compat.hpp"
#include "profile.hpp"
#include "render.hpp"

using namespace fkg;

namespace {

// ---- Arguments ----

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

struct Names {
  const char *table_q;   // qualified, quoted
  const char *column_q;  // quoted
  const char *relname;
  Oid nsp;
  bool not_null;
};

Names names_of(Oid rel, AttrNumber att) {
  return pg_guard([rel, att]() {
    Names n;
    n.nsp = get_rel_namespace(rel);
    n.relname = get_rel_name(rel);
    n.table_q = quote_qualified_identifier(get_namespace_name(n.nsp), n.relname);
    n.column_q = quote_identifier(get_attname(rel, att, false));
    HeapTuple tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(rel), Int16GetDatum(att));
    n.not_null = HeapTupleIsValid(tup) && ((Form_pg_attribute)GETSTRUCT(tup))->attnotnull;
    if (HeapTupleIsValid(tup)) ReleaseSysCache(tup);
    return n;
  });
}

// ---- Mapping discovery ----

struct RawMapping {
  const char *column;  // quoted
  int64 covered, total;
};

// Columns of the referenced table with the referencing column's type whose
// values cover the referencing values (e.g. users.legacy_uuid for uuids in
// sessions."userId"); the best one, through the executor as the caller.
RawMapping *best_mapping(Oid rel, AttrNumber att, Oid refrel, AttrNumber refatt) {
  RawMapping *best = NULL;
  MemoryContext caller = CurrentMemoryContext;  // SPI_finish frees what SPI's context holds
  Oid type = getBaseType(get_atttype(rel, att));
  const char *table = quote_qualified_identifier(get_namespace_name(get_rel_namespace(rel)), get_rel_name(rel));
  const char *reftable =
      quote_qualified_identifier(get_namespace_name(get_rel_namespace(refrel)), get_rel_name(refrel));
  const char *col = quote_identifier(get_attname(rel, att, false));
  HeapTuple reltup = SearchSysCache1(RELOID, ObjectIdGetDatum(refrel));
  if (!HeapTupleIsValid(reltup)) elog(ERROR, "cache lookup failed for relation %u", refrel);
  int natts = ((Form_pg_class)GETSTRUCT(reltup))->relnatts;
  ReleaseSysCache(reltup);
  if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
  for (AttrNumber a = 1; a <= natts; a++) {
    if (a == refatt) continue;
    HeapTuple tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(refrel), Int16GetDatum(a));
    if (!HeapTupleIsValid(tup)) continue;
    Form_pg_attribute attr = (Form_pg_attribute)GETSTRUCT(tup);
    bool usable = !attr->attisdropped && getBaseType(attr->atttypid) == type;
    const char *cand = quote_identifier(pstrdup(NameStr(attr->attname)));
    ReleaseSysCache(tup);
    if (!usable) continue;
    char *q = psprintf(
        "SELECT pg_catalog.count(*) FILTER (WHERE EXISTS (SELECT 1 FROM %s r WHERE r.%s = t.%s)), "
        "pg_catalog.count(*) FROM %s t WHERE t.%s IS NOT NULL",
        reftable, cand, col, table, col);
    if (SPI_execute(q, false, 1) != SPI_OK_SELECT || SPI_processed != 1) continue;
    bool isnull;
    int64 covered = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    int64 total = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
    if (covered > 0 && (best == NULL || covered > best->covered)) {
      if (best == NULL) best = (RawMapping *)MemoryContextAllocZero(caller, sizeof(RawMapping));
      best->column = MemoryContextStrdup(caller, cand);
      best->covered = covered;
      best->total = total;
    }
  }
  SPI_finish();
  return best;
}

// ---- Fix plans ----

struct RawPlanFacts {
  const char *source_type;
  const char *target_type;
  Oid target;
  int32 target_typmod;
  Oid source;
  const char *constraint;  // quoted: an existing one to the same table, or PostgreSQL's default name
  const char **drop;       // quoted names of single-column foreign keys on the column to the same table
  int ndrop;
  const char **notes;  // other constraints that involve the column
  int nnotes;
};

struct PlanScan {
  RawPlanFacts *facts;
  AttrNumber att;
  Oid refrel;
};

// Foreign keys that use the column: one to the same table is replaced by the
// plan (dropped first); others are noted, PostgreSQL rebuilds them.
bool visit_plan_constraint(HeapTuple tup, TupleDesc desc, void *arg) {
  PlanScan *p = (PlanScan *)arg;
  RawPlanFacts *f = p->facts;
  Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
  int16 *fk, *pk;
  int n = constraint_key_columns(tup, desc, &fk, &pk);
  bool uses = false;
  for (int i = 0; i < n; i++) uses = uses || fk[i] == p->att;
  if (!uses) return true;
  const char *name = quote_identifier(pstrdup(NameStr(con->conname)));
  if (n == 1 && con->confrelid == p->refrel && f->ndrop < 63) {
    f->drop[f->ndrop++] = name;
    if (f->constraint == NULL) f->constraint = name;
  } else if (f->nnotes < 63) {
    f->notes[f->nnotes++] = psprintf("%s also uses this column; PostgreSQL rebuilds it when the type changes.", name);
  }
  return true;
}

RawPlanFacts *plan_facts(Oid rel, AttrNumber att, Oid refrel, AttrNumber refatt) {
  RawPlanFacts *f = (RawPlanFacts *)palloc0(sizeof(RawPlanFacts));
  int32 typmod;
  Oid coll;
  get_atttypetypmodcoll(rel, att, &f->source, &typmod, &coll);
  f->source_type = format_type_with_typemod(f->source, typmod);
  get_atttypetypmodcoll(refrel, refatt, &f->target, &f->target_typmod, &coll);
  f->target_type = format_type_with_typemod(f->target, f->target_typmod);
  f->drop = (const char **)palloc0(sizeof(char *) * 64);
  f->notes = (const char **)palloc0(sizeof(char *) * 64);
  PlanScan scan{f, att, refrel};
  for_each_foreign_key(FkScope::OnTable, rel, visit_plan_constraint, &scan);
  if (f->constraint == NULL)
    f->constraint = quote_identifier(
        ChooseConstraintName(get_rel_name(rel), get_attname(rel, att, false), "fkey", get_rel_namespace(rel), NIL));
  return f;
}

std::string build_fix_plan(Oid rel, AttrNumber att, Oid refrel, AttrNumber refatt, OnUnconvertible mode,
                           const ColumnProfile *prof) {
  Names fk = names_of(rel, att);
  Names pk = names_of(refrel, refatt);
  RawPlanFacts *f = pg_guard([rel, att, refrel, refatt]() { return plan_facts(rel, att, refrel, refatt); });
  if (mode == OnUnconvertible::Null && fk.not_null)
    throw UserError(ERRCODE_INVALID_PARAMETER_VALUE,
                    std::string("on_unconvertible => 'null' needs a nullable column, and ") + fk.table_q + "." +
                        fk.column_q + " is NOT NULL",
                    "", "Use 'delete' to remove those rows, 'map' to map them, or 'fail' to stop.");
  RawMapping *mapping = nullptr;
  bool want_mapping = mode == OnUnconvertible::Map || (prof && prof->rows_unconvertible > 0);
  if (want_mapping) mapping = pg_guard([rel, att, refrel, refatt]() { return best_mapping(rel, att, refrel, refatt); });
  if (mode == OnUnconvertible::Map && mapping == nullptr)
    throw UserError(
        ERRCODE_INVALID_PARAMETER_VALUE,
        std::string("no column of ") + pk.table_q + " holds the values of " + fk.table_q + "." + fk.column_q,
        std::string("on_unconvertible => 'map' needs a column of ") + pk.table_q + " of type " + f->source_type +
            " whose values match.",
        "Use 'null' or 'delete' for the rows that cannot be converted, or 'fail' to stop.");

  PlanInput in;
  in.table = fk.table_q;
  in.column = fk.column_q;
  in.source_type = f->source_type;
  in.referenced_table = pk.table_q;
  in.referenced_column = pk.column_q;
  in.target_type = f->target_type;
  in.conversion = conversion_expression(f->source, f->target, f->target_typmod, fk.column_q);
  in.conversion_needed = in.conversion != std::string(fk.column_q);
  in.constraint = f->constraint;
  for (int i = 0; i < f->ndrop; i++) in.drop_constraints.push_back(f->drop[i]);
  for (int i = 0; i < f->nnotes; i++) in.notes.push_back(f->notes[i]);
  in.converts_function = "fk_guard.converts";
  in.mode = mode;
  PlanCounts counts;
  if (prof) {
    counts = PlanCounts{prof->rows_total, prof->rows_null, prof->rows_convertible, prof->rows_unconvertible,
                        prof->rows_orphaned};
    in.counts = &counts;
  }
  PlanMapping map;
  if (mapping) {
    map = PlanMapping{mapping->column, mapping->covered, mapping->total};
    in.mapping = &map;
  }
  if (mapping && mode != OnUnconvertible::Map)
    in.notes.push_back(std::string("With on_unconvertible => 'map' the values are mapped through ") + pk.table_q + "." +
                       mapping->column + " instead.");
  return write_fix_plan(in);
}

// ---- diagnose rows ----

struct Row {
  std::string sort_key;
  KeyPair pair;
  bool implied = false;
  Verdict verdict;
  RenderedPair rendered;
  std::optional<ColumnProfile> profile;
};

std::string sort_key_of(const KeyPair &p) {
  const KeyPair *pp = &p;
  return pg_guard([pp]() {
    return psprintf("%s.%s\x1f%s", get_namespace_name(get_rel_namespace(pp->referencing_rel)),
                    get_rel_name(pp->referencing_rel),
                    OidIsValid(pp->constraint) ? get_constraint_name(pp->constraint) : "");
  });
}

bool identical_columns(const KeyPair &p) {
  return p.referencing.type == p.referenced.type && p.referencing.typmod == p.referenced.typmod &&
         p.referencing.collation == p.referenced.collation;
}

std::vector<Row> collect_rows(bool include_implied, const std::vector<Oid> &search_path, bool check_data) {
  std::vector<Row> rows;
  for (const KeyPair &p : declared_key_pairs()) {
    // PostgreSQL accepted this constraint; identical types get no kind.
    if (identical_columns(p)) continue;
    JudgedPair judged = judge_pair(p.referencing, p.referenced, p.opclass);
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
      if (identical_columns(p)) continue;
      JudgedPair judged = judge_pair(p.referencing, p.referenced, p.opclass);
      if (judged.verdict.kind == Kind::None) continue;
      Row row;
      row.pair = p;
      row.implied = true;
      row.verdict = judged.verdict;
      row.rendered = render_pair(p, judged);
      std::string why = "No foreign key is declared; the column's name points at " + std::string(pg_guard([&p]() {
                          return DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(p.referenced_rel)));
                        })) +
                        ". ";
      if (!ip.other_candidates.empty()) {
        why += "It could also mean ";
        for (size_t i = 0; i < ip.other_candidates.size(); i++) why += (i ? ", " : "") + ip.other_candidates[i];
        why += "; check which table is meant. ";
      }
      row.rendered.detail = why + row.rendered.detail;
      rows.push_back(std::move(row));
    }
  }
  for (Row &row : rows) {
    row.sort_key = sort_key_of(row.pair);
    const KeyPair &p = row.pair;
    if (check_data)
      row.profile = profile_column(p.referencing_rel, p.referencing_att, p.referenced.type, p.referenced.typmod,
                                   p.referenced_rel, p.referenced_att, 3);
    // Implied pairs and incompatible ones need the full plan (data, then the
    // constraint); a declared soft mismatch is fixed by converting the column,
    // which makes PostgreSQL rebuild the constraint itself.
    if (row.implied || row.verdict.kind == Kind::Incompatible)
      row.rendered.suggested_fix =
          build_fix_plan(p.referencing_rel, p.referencing_att, p.referenced_rel, p.referenced_att,
                         OnUnconvertible::Fail, row.profile ? &*row.profile : nullptr);
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) { return a.sort_key < b.sort_key; });
  return rows;
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

Datum name_datum(const char *s) {
  NameData *n = (NameData *)palloc0(sizeof(NameData));
  namestrcpy(n, s);
  return NameGetDatum(n);
}

constexpr int kDiagnoseColumns = 20;

void put_row(ReturnSetInfo *rsinfo, const Row &row) {
  Datum values[kDiagnoseColumns];
  bool nulls[kDiagnoseColumns] = {false};
  const Row *r = &row;
  if (r->profile) {
    const ColumnProfile &pr = *r->profile;
    values[12] = Int64GetDatum(pr.rows_total);
    values[13] = Int64GetDatum(pr.rows_null);
    values[14] = Int64GetDatum(pr.rows_convertible);
    values[15] = Int64GetDatum(pr.rows_unconvertible);
    values[16] = Int64GetDatum(pr.rows_orphaned);
    values[17] = text_array(pr.sample_unconvertible);
    values[18] = text_array(pr.sample_orphaned);
  } else {
    for (int i = 12; i < kDiagnoseColumns; i++) nulls[i] = true;
  }
  Datum *vp = values;
  bool *np = nulls;
  pg_guard([rsinfo, r, vp, np]() {
    const KeyPair &p = r->pair;
    vp[0] = CStringGetTextDatum(r->implied ? "implied" : "declared");
    char *conname = OidIsValid(p.constraint) ? get_constraint_name(p.constraint) : NULL;
    if (conname)
      vp[1] = name_datum(conname);
    else
      np[1] = true;
    vp[2] = ObjectIdGetDatum(p.referencing_rel);
    vp[3] = name_datum(get_attname(p.referencing_rel, p.referencing_att, false));
    vp[4] = CStringGetTextDatum(r->rendered.referencing_type.c_str());
    vp[5] = ObjectIdGetDatum(p.referenced_rel);
    vp[6] = name_datum(get_attname(p.referenced_rel, p.referenced_att, false));
    vp[7] = CStringGetTextDatum(r->rendered.referenced_type.c_str());
    vp[8] = CStringGetTextDatum(kind_name(r->verdict.kind));
    vp[9] = CStringGetTextDatum(severity_name(r->verdict.severity()));
    vp[10] = CStringGetTextDatum(r->rendered.detail.c_str());
    vp[11] = CStringGetTextDatum(r->rendered.suggested_fix.c_str());
    if (r->profile) vp[19] = CStringGetTextDatum(r->profile->conversion.c_str());
    tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, vp, np);
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

}  // namespace

// fk_guard.diagnose_fk_mismatches_in(include_implied, check_data, search_path):
// the body of diagnose_fk_mismatches(), which passes the caller's search_path.
FKG_SQL_FUNCTION(diagnose_fk_mismatches_in) {
  bool include_implied = PG_GETARG_BOOL(0);
  bool check_data = PG_GETARG_BOOL(1);
  std::vector<Oid> path = namespaces_of(PG_GETARG_ARRAYTYPE_P(2));
  pg_guard([fcinfo]() { compat::init_materialized_srf(fcinfo); });
  ReturnSetInfo *rsinfo = (ReturnSetInfo *)fcinfo->resultinfo;
  for (const Row &row : collect_rows(include_implied, path, check_data)) put_row(rsinfo, row);
  return (Datum)0;
}

// fk_guard.assert_no_mismatches_in(min_severity, search_path): raises an
// error listing every mismatch at or above the severity.
FKG_SQL_FUNCTION(assert_no_mismatches_in) {
  std::string min = pg_guard([fcinfo]() { return text_to_cstring(PG_GETARG_TEXT_PP(0)); });
  Severity threshold;
  if (!parse_severity(min, &threshold))
    throw UserError(ERRCODE_INVALID_PARAMETER_VALUE, "unknown severity \"" + min + "\"", "",
                    "Use error, warning or notice.");
  std::vector<Oid> path = namespaces_of(PG_GETARG_ARRAYTYPE_P(1));
  std::vector<Row> rows = collect_rows(true, path, false);
  std::string detail;
  int count = 0;
  for (const Row &r : rows) {
    if (severity_rank(r.verdict.severity()) > severity_rank(threshold)) continue;
    count++;
    const KeyPair *p = &r.pair;
    const char *line = pg_guard([p]() {
      const char *con = OidIsValid(p->constraint) ? quote_identifier(get_constraint_name(p->constraint)) : NULL;
      return psprintf("%s.%s -> %s.%s%s%s", DatumGetCString(DirectFunctionCall1(regclassout, p->referencing_rel)),
                      quote_identifier(get_attname(p->referencing_rel, p->referencing_att, false)),
                      DatumGetCString(DirectFunctionCall1(regclassout, p->referenced_rel)),
                      quote_identifier(get_attname(p->referenced_rel, p->referenced_att, false)),
                      con ? ", constraint " : ", implied by its name", con ? con : "");
    });
    detail += (detail.empty() ? "" : "\n") + std::string(line) + ": " + r.rendered.referencing_type + " -> " +
              r.rendered.referenced_type + " (" + kind_name(r.verdict.kind) + ", " +
              severity_name(r.verdict.severity()) + ").";
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
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
    throw UserError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "tbl, col and target must not be null");
  Oid rel = PG_GETARG_OID(0);
  AttrNumber att = column_of(rel, PG_GETARG_NAME(1));
  Oid target = PG_GETARG_OID(2);
  int32 typmod = -1;
  Oid refrel = PG_ARGISNULL(3) ? InvalidOid : PG_GETARG_OID(3);
  AttrNumber refatt = InvalidAttrNumber;
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
  int samples = PG_ARGISNULL(5) ? 3 : PG_GETARG_INT32(5);
  if (samples < 0 || samples > 1000)
    throw UserError(ERRCODE_INVALID_PARAMETER_VALUE, "samples must be between 0 and 1000");
  ColumnProfile p = profile_column(rel, att, target, typmod, refrel, refatt, samples);

  Datum values[8];
  bool nulls[8] = {false};
  values[5] = text_array(p.sample_unconvertible);
  values[6] = text_array(p.sample_orphaned);
  Datum *vp = values;
  bool *np = nulls;
  const ColumnProfile *pp = &p;
  return pg_guard([fcinfo, vp, np, pp]() {
    TupleDesc tupdesc;
    if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
      elog(ERROR, "return type must be a row type");
    tupdesc = BlessTupleDesc(tupdesc);
    vp[0] = Int64GetDatum(pp->rows_total);
    vp[1] = Int64GetDatum(pp->rows_null);
    vp[2] = Int64GetDatum(pp->rows_convertible);
    vp[3] = Int64GetDatum(pp->rows_unconvertible);
    vp[4] = Int64GetDatum(pp->rows_orphaned);
    if (!pp->orphans_checked) np[4] = np[6] = true;
    vp[7] = CStringGetTextDatum(pp->conversion.c_str());
    return HeapTupleGetDatum(heap_form_tuple(tupdesc, vp, np));
  });
}

// fk_guard.fix_plan(referencing_table, referencing_column, referenced_table,
//                   referenced_column, on_unconvertible)
FKG_SQL_FUNCTION(fix_plan) {
  for (int i : {0, 1, 2, 4})
    if (PG_ARGISNULL(i))
      throw UserError(ERRCODE_NULL_VALUE_NOT_ALLOWED,
                      "referencing_table, referencing_column, referenced_table and on_unconvertible must not be null");
  Oid rel = PG_GETARG_OID(0);
  AttrNumber att = column_of(rel, PG_GETARG_NAME(1));
  Oid refrel = PG_GETARG_OID(2);
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
  ColumnProfile prof = profile_column(rel, att, t.type, t.typmod, refrel, refatt, 3);
  std::string plan = build_fix_plan(rel, att, refrel, refatt, mode, &prof);
  const char *s = plan.c_str();
  return pg_guard([s]() { return CStringGetTextDatum(s); });
}

// fk_guard.converts(value anyelement, target regtype, target_typmod int):
// does the conversion profile_column() and fix_plan() use succeed for this value?
FKG_SQL_FUNCTION(converts) {
  Oid source = pg_guard([fcinfo]() { return getBaseType(get_fn_expr_argtype(fcinfo->flinfo, 0)); });
  Oid target = PG_GETARG_OID(1);
  int32 typmod = PG_ARGISNULL(2) ? -1 : PG_GETARG_INT32(2);
  PG_RETURN_BOOL(value_converts(source, PG_GETARG_DATUM(0), target, typmod));
}
