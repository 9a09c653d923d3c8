// fk_guard.explain_facts_in(): what fk_guard.explain() needs from C++ for
// one column: the key it refers to (declared, or implied by its name on the
// caller's search path), the verdict, the data profile, and the two plans
// (fix_plan(), and change_key_type_plan() where the key may follow) built
// from that one profile, each with what it would do to this data. The SQL
// body fk_guard.explain_in() adds the objects on both columns and the
// migration history, and lays the report out as text or json.
#include <chrono>

#include "arguments.hpp"
#include "catalog_pairs.hpp"
#include "fix_plan.hpp"
#include "guard_data.hpp"
#include "key_plan.hpp"
#include "render.hpp"
#include "result_row.hpp"
#include "../core/explain_text.hpp"

extern "C" {
#include "parser/parse_coerce.h"
}

using namespace fkg;

namespace {

struct ExplainNames {
  const char *table;       // public.sessions, as regclass prints it under pg_catalog
  const char *column;      // quoted
  const char *column_raw;  // as stored
  const char *ref_table;
  const char *ref_column;
  const char *ref_column_raw;
};

ExplainNames *read_explain_names(Oid rel, AttrNumber att, Oid refrel, AttrNumber refatt) {
  ExplainNames *n = (ExplainNames *)palloc0(sizeof(ExplainNames));
  n->table = DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(rel)));
  n->column_raw = get_attname(rel, att, false);
  n->column = quote_identifier(n->column_raw);
  if (OidIsValid(refrel)) {
    n->ref_table = DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(refrel)));
    n->ref_column_raw = get_attname(refrel, refatt, false);
    n->ref_column = quote_identifier(n->ref_column_raw);
  }
  return n;
}

struct Plans {
  std::string fix_call, fix, fix_effect, fix_refused;
  std::string key_call, key, key_effect, key_refused;
};

}  // namespace

// fk_guard.explain_facts_in(tbl, col, search_path): the body of explain()'s
// C half; search_path is the caller's (the SQL wrapper passes it).
FKG_SQL_FUNCTION(explain_facts_in) {
  require_arg(fcinfo, 0, "tbl", "explain");
  require_arg(fcinfo, 1, "col", "explain");
  require_arg(fcinfo, 2, "search_path", "explain_facts_in");
  Oid rel = PG_GETARG_OID(0);
  check_table_arg(rel, "tbl", "explain");
  AttrNumber att = column_of(rel, PG_GETARG_NAME(1));
  std::vector<Oid> path = namespaces_of(PG_GETARG_ARRAYTYPE_P(2));

  KeyPair pair;
  std::vector<std::string> others;
  bool has_key = key_referenced_by(rel, att, path, &pair, &others);
  Oid refrel = has_key ? pair.referenced_rel : InvalidOid;
  AttrNumber refatt = has_key ? pair.referenced_att : InvalidAttrNumber;
  ExplainNames *names = pg_guard([rel, att, refrel, refatt]() { return read_explain_names(rel, att, refrel, refatt); });
  const std::string col = std::string(names->table) + "." + names->column;
  const std::string keys = has_key ? std::string(names->ref_table) + "." + names->ref_column : "";

  // (1) The verdict.
  JudgedPair judged;
  RenderedPair rendered;
  bool implied = has_key && !OidIsValid(pair.constraint);
  if (has_key) {
    judged = judge_pair(pair.referencing, pair.referenced, pair.opclass);
    rendered = render_pair(pair, judged);
    if (implied) {
      std::string why =
          "No foreign key is declared; the column's name points at " + std::string(names->ref_table) + ". ";
      if (!others.empty()) {
        why += "It could also mean ";
        for (size_t i = 0; i < others.size(); i++) why += (i ? ", " : "") + others[i];
        why += "; check which table is meant. ";
      }
      rendered.detail = why + rendered.detail;
    }
  }

  // (2) The data: the same profile as profile_column(), to the key's type
  // (or, with no key, to the column's own type: rows and NULLs).
  struct Target {
    Oid type;
    int32 typmod;
  };
  Oid own_type = has_key ? InvalidOid : pg_guard([rel, att]() { return getBaseType(get_atttype(rel, att)); });
  Target target = has_key ? pg_guard([&pair]() {
    return Target{getBaseType(pair.referenced.type), pair.referenced.typmod};
  })
                          : Target{own_type, -1};
  const char *unreadable = pg_guard([rel, att, refrel, refatt]() {
    const char *r = unreadable_column(rel, att);
    return r || !OidIsValid(refrel) ? r : unreadable_column(refrel, refatt);
  });
  ColumnProfile prof;
  auto started = std::chrono::steady_clock::now();
  if (unreadable)
    prof.not_profiled_reason = unreadable;
  else
    prof = profile_column(rel, att, target.type, target.typmod, refrel, refatt, 3);
  double data_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();

  // (5) The plans, from that one profile.
  Plans plans;
  bool whole = has_key && rendered.whole_values;
  bool needs_fix = has_key && (implied || judged.verdict.kind != Kind::None) && !whole;
  if (needs_fix) {
    std::string blockers = column_blockers_of(rel, att);
    std::string mapping;
    OnUnconvertible mode = OnUnconvertible::Fail;
    if (!blockers.empty()) {
      plans.fix_refused = "ALTER COLUMN ... TYPE refuses a column that these use: " + blockers +
                          ". Drop them first and create them again after the conversion.";
    } else if (!prof.profiled) {
      plans.fix_refused = "fix_plan() needs the data, which was not read: " + prof.not_profiled_reason + ".";
    } else {
      if (prof.rows_unconvertible > 0) {
        mapping = mapping_column_of(rel, att, refrel, refatt);
        if (!mapping.empty()) mode = OnUnconvertible::Map;
      }
      try {
        plans.fix = build_fix_plan(rel, att, refrel, refatt, mode, &prof, false);
        plans.fix_call = fix_plan_call(names->table, names->column_raw, names->ref_table, names->ref_column_raw,
                                       mode == OnUnconvertible::Map ? "map" : nullptr, nullptr) +
                         ";";
        ExplainCounts counts{prof.rows_total, prof.rows_null, prof.rows_unconvertible, prof.rows_orphaned,
                             prof.orphans_checked};
        plans.fix_effect =
            fix_effect_text(counts, mode, col, names->table, judged.facts.referenced.display, keys, names->ref_table,
                            mapping.empty() ? "" : std::string(names->ref_table) + "." + mapping, !implied);
      } catch (const UserError &e) {
        plans.fix_refused = plan_refused_text(e.what(), e.detail());
      }
    }
    // The key's type may follow instead (a surrogate key, integer or uuid).
    Oid new_type = pg_guard([&pair]() { return getBaseType(pair.referencing.type); });
    // As the guard's HINT names it: for a refused pair, or a referencing
    // type wider than the key (never to narrow a key).
    bool follow = (judged.verdict.kind == Kind::Incompatible || judged.verdict.kind == Kind::Width) &&
                  new_type != target.type &&
                  pg_guard([refrel, refatt, new_type]() { return surrogate_key_may_follow(refrel, refatt, new_type); });
    if (follow) {
      Oid key_type = target.type;
      bool castable = pg_guard([key_type, new_type]() {
        Oid from = key_type, to = new_type;
        return can_coerce_type(1, &from, &to, COERCION_EXPLICIT);
      });
      std::string expr;
      if (!castable && prof.profiled && prof.rows_total > prof.rows_null) {
        if (mapping.empty() && prof.rows_unconvertible > 0) mapping = mapping_column_of(rel, att, refrel, refatt);
        if (!mapping.empty()) expr = "r." + mapping;
      }
      const char *new_type_name = pg_guard([new_type]() { return format_type_be(new_type); });
      try {
        plans.key = build_key_type_plan(refrel, refatt, new_type, OnUnconvertible::Fail,
                                        expr.empty() ? nullptr : expr.c_str(), false, OnlineOptions{});
        plans.key_call = key_plan_call(names->ref_table, names->ref_column_raw, new_type_name, expr);
        int64 values = prof.rows_total - prof.rows_null;
        plans.key_effect = key_effect_text(keys, new_type_name, castable, names->ref_table, expr.empty() ? "" : mapping,
                                           values, col, prof.profiled);
      } catch (const UserError &e) {
        plans.key_refused = plan_refused_text(e.what(), e.detail());
      }
    }
  }

  std::string conversion_kind;
  if (has_key) switch (judged.conversion) {
      case Conversion::Assignment:
        conversion_kind = "assignment";
        break;
      case Conversion::Explicit:
      case Conversion::ExplicitTypmod:
        conversion_kind = "explicit";
        break;
      case Conversion::None:
        conversion_kind = "none";
        break;
      case Conversion::ToNull:
        conversion_kind = "null";
        break;
    }

  Datum others_d = text_array(others);
  Datum sample_unconvertible = text_array(prof.sample_unconvertible);
  Datum sample_orphaned = text_array(prof.sample_orphaned);
  const char *kind = has_key ? kind_name(judged.verdict.kind) : nullptr;
  const char *severity = has_key ? severity_name(judged.verdict.severity()) : nullptr;
  const RenderedPair *rp = &rendered;
  const ColumnProfile *pp = &prof;
  const KeyPair *kp = &pair;
  const char *ck = conversion_kind.c_str();
  auto opt = [](const std::string &s) { return s.empty() ? (const char *)nullptr : s.c_str(); };
  struct RawOut {
    const char *fix_call, *fix, *fix_effect, *fix_refused, *key_call, *key, *key_effect, *key_refused, *not_read;
  } out{opt(plans.fix_call),    opt(plans.fix),         opt(plans.fix_effect),
        opt(plans.fix_refused), opt(plans.key_call),    opt(plans.key),
        opt(plans.key_effect),  opt(plans.key_refused), prof.profiled ? nullptr : prof.not_profiled_reason.c_str()};
  const RawOut *o = &out;
  return pg_guard([fcinfo, has_key, implied, kp, names, others_d, kind, severity, rp, pp, ck, data_ms,
                   sample_unconvertible, sample_orphaned, o]() {
    TupleDesc tupdesc;
    if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
      elog(ERROR, "return type must be a row type");
    tupdesc = BlessTupleDesc(tupdesc);
    bool profiled = pp->profiled;
    bool no_orphans = !profiled || !pp->orphans_checked;
    const char *con = has_key && OidIsValid(kp->constraint) ? get_constraint_name(kp->constraint) : NULL;
    RowBuilder row(tupdesc);
    row.add_text(has_key ? (implied ? "implied" : "declared") : NULL)
        .add_name(con)
        .add(ObjectIdGetDatum(kp->referenced_rel), !has_key)
        .add_name(has_key ? names->ref_column_raw : NULL)
        .add(others_d)
        .add_text(has_key ? rp->referencing_type.c_str() : NULL)
        .add_text(has_key ? rp->referenced_type.c_str() : NULL)
        .add_text(kind)
        .add_text(severity)
        .add_text(has_key ? rp->detail.c_str() : NULL)
        .add_text(has_key ? ck : NULL)
        .add(BoolGetDatum(profiled))
        .add_text(o->not_read)
        .add(Int64GetDatum(pp->rows_total), !profiled)
        .add(Int64GetDatum(pp->rows_null), !profiled)
        .add(Int64GetDatum(pp->rows_convertible), !profiled || !has_key)
        .add(Int64GetDatum(pp->rows_unconvertible), !profiled || !has_key)
        .add(Int64GetDatum(pp->rows_orphaned), no_orphans)
        .add(sample_unconvertible, !profiled || !has_key)
        .add(sample_orphaned, no_orphans)
        .add_text(profiled && has_key ? pp->conversion.c_str() : NULL)
        .add(Float8GetDatum(data_ms), !profiled)
        .add_text(o->fix_call)
        .add_text(o->fix)
        .add_text(o->fix_effect)
        .add_text(o->fix_refused)
        .add_text(o->key_call)
        .add_text(o->key)
        .add_text(o->key_effect)
        .add_text(o->key_refused);
    return HeapTupleGetDatum(row.form_tuple());
  });
}
