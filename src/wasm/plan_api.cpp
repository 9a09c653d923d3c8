// The engine's plan and report API for WebAssembly (clients/node/lib/functions):
// the sentences and scripts the extension's diagnostic functions write
// (src/core/pair_text.*, fix_writer.*, hygiene.*, key_plan.*), from facts the
// JavaScript side reads from the catalog. Pure C++: no PostgreSQL header.
// Every generated SQL text comes from the core's writers; nothing here
// concatenates a name.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "../core/citus_plans.hpp"
#include "../core/explain_text.hpp"
#include "../core/fix_writer.hpp"
#include "../core/hygiene.hpp"
#include "../core/key_plan.hpp"
#include "../core/key_plan_rules.hpp"
#include "../core/pair_text.hpp"
#include "../core/sql_writer.hpp"
#include "../core/trust_sql.hpp"
#include "../core/verdict.hpp"
#include "wasm_facts.hpp"
#include "wasm_values.hpp"
#include "../core/no_postgres.hpp"

using emscripten::val;

namespace fkg {
namespace wasm {

namespace {

OnUnconvertible plan_mode(const std::string &s) {
  OnUnconvertible m;
  if (!parse_on_unconvertible(s.empty() ? "fail" : s, &m))
    throw std::invalid_argument("unknown on_unconvertible \"" + s + "\"");
  return m;
}

val refused_value(const PlanRefused &e) {
  val out = val::object();
  out.set("sqlstate", e.sqlstate);
  out.set("message", std::string(e.what()));
  out.set("detail", e.detail);
  out.set("hint", e.hint);
  return out;
}

// renderPair(names, facts, conversion): the verdict, both types, the detail
// and the type fix of one pair, as diagnose_fk_mismatches() writes them.
val render_pair(val names, val facts, std::string conversion) {
  return guarded([&]() {
    PairNames n;
    n.fk_table = get_string(names, "fk_table");
    n.fk_table_q = get_string(names, "fk_table_q");
    n.fk_column = get_string(names, "fk_column");
    n.pk_table = get_string(names, "pk_table");
    n.pk_table_q = get_string(names, "pk_table_q");
    n.pk_column = get_string(names, "pk_column");
    n.constraint = get_string(names, "constraint");
    n.distribution_column = get_bool(names, "distribution_column", false);
    PairFacts f = pair_facts(facts);
    Verdict v = classify(f);
    RenderedPair r = render_pair_text(n, f, v, conversion_of(conversion));
    val out = val::object();
    out.set("kind", std::string(kind_name(v.kind)));
    out.set("severity", std::string(severity_name(v.severity())));
    out.set("explanation", v.explanation());
    out.set("referencing_type", r.referencing_type);
    out.set("referenced_type", r.referenced_type);
    out.set("detail", r.detail);
    out.set("suggested_fix", r.suggested_fix);
    out.set("whole_values", r.whole_values);
    return out;
  });
}

// Pairs judged once, rendered for many names (diagnose() reports thousands
// of pairs of a few type combinations), in a table of their own per
// diagnosis: openPairTable() returns a table's number, registerPair(table,
// facts, conversion) classifies once and returns an id in that table,
// closePairTable(table) frees it (the caller's finally: a long-lived process
// keeps no pairs of diagnoses it has finished, and diagnoses that run at the
// same time on several connections keep their own); renderPairsById(table, rows) renders every
// row of a diagnosis in one call: rows separated by U+001E, each the pair's
// id and the seven names (fk_table, fk_table_q, fk_column, pk_table,
// pk_table_q, pk_column, constraint) joined by U+001F. It returns one row
// per input row, in order, the same way: kind, severity, referencing_type,
// referenced_type, detail, suggested_fix and whole_values ("1" or "0"); an
// empty row where a result holds U+001E or U+001F (the caller renders that
// one with renderPair). The result is a Uint8Array view of its UTF-8 text in
// the engine's memory, valid until the next call into the engine: the caller
// decodes it at once (natively, where embind would read the string byte by
// byte in JavaScript). Two strings cross the boundary instead of an object
// per row.
struct Registered {
  PairFacts facts;
  Verdict verdict;
  Conversion conversion;
};

std::map<int, std::vector<Registered>> &pair_tables() {
  static std::map<int, std::vector<Registered>> t;
  return t;
}

std::vector<Registered> &pair_table(int table) {
  auto it = pair_tables().find(table);
  if (it == pair_tables().end()) throw std::invalid_argument("unknown pair table");
  return it->second;
}

// The lowest number no open table has.
val open_pair_table() {
  return guarded([&]() {
    int n = 0;
    while (pair_tables().count(n)) n++;
    pair_tables().emplace(n, std::vector<Registered>());
    return val(n);
  });
}

val close_pair_table(int table) {
  return guarded([&]() { return val(pair_tables().erase(table) == 1); });
}

// {tables, pairs}: how many tables are open and how many pairs they hold.
val pair_table_sizes() {
  return guarded([&]() {
    size_t pairs = 0;
    for (const auto &t : pair_tables()) pairs += t.second.size();
    val out = val::object();
    out.set("tables", (double)pair_tables().size());
    out.set("pairs", (double)pairs);
    return out;
  });
}

val register_pair(int table, val facts, std::string conversion) {
  return guarded([&]() {
    std::vector<Registered> &reg = pair_table(table);
    PairFacts f = pair_facts(facts);
    Verdict v = classify(f);
    reg.push_back(Registered{f, v, conversion_of(conversion)});
    return val((int)reg.size() - 1);
  });
}

constexpr char kRowSep = '\x1e';
constexpr char kFieldSep = '\x1f';

bool has_separator(const std::string &s) {
  return s.find(kRowSep) != std::string::npos || s.find(kFieldSep) != std::string::npos;
}

void append_rendered_row(const std::vector<Registered> &registry, std::string_view row, std::string *out) {
  std::string_view f[8];
  size_t n = 0, start = 0;
  for (;;) {
    size_t end = row.find(kFieldSep, start);
    if (n == 8) throw std::invalid_argument("renderPairsById: a row needs an id and seven names");
    f[n++] = row.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (n != 8) throw std::invalid_argument("renderPairsById: a row needs an id and seven names");
  int id = 0;
  if (f[0].empty() || f[0].size() > 9) throw std::invalid_argument("unknown pair id");
  for (char c : f[0]) {
    if (c < '0' || c > '9') throw std::invalid_argument("unknown pair id");
    id = id * 10 + (c - '0');
  }
  if (id >= (int)registry.size()) throw std::invalid_argument("unknown pair id");
  const Registered &reg = registry[id];
  PairNames names{std::string(f[1]), std::string(f[2]), std::string(f[3]), std::string(f[4]),
                  std::string(f[5]), std::string(f[6]), std::string(f[7])};
  RenderedPair r = render_pair_text(names, reg.facts, reg.verdict, reg.conversion);
  if (has_separator(r.referencing_type) || has_separator(r.referenced_type) || has_separator(r.detail) ||
      has_separator(r.suggested_fix))
    return;
  out->append(kind_name(reg.verdict.kind));
  *out += kFieldSep;
  out->append(severity_name(reg.verdict.severity()));
  *out += kFieldSep;
  *out += r.referencing_type;
  *out += kFieldSep;
  *out += r.referenced_type;
  *out += kFieldSep;
  *out += r.detail;
  *out += kFieldSep;
  *out += r.suggested_fix;
  *out += kFieldSep;
  *out += r.whole_values ? '1' : '0';
}

// The text of the last renderPairsById call, which its view points into.
std::string &rendered_rows() {
  static std::string r;
  return r;
}

val render_pairs_by_id(int table, std::string rows) {
  return guarded([&]() {
    const std::vector<Registered> &registry = pair_table(table);
    std::string &out = rendered_rows();
    std::string().swap(out);
    out.reserve(rows.size() * 6);
    std::string_view all(rows);
    size_t start = 0;
    for (;;) {
      size_t end = all.find(kRowSep, start);
      append_rendered_row(
          registry, all.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start), &out);
      if (end == std::string_view::npos) break;
      out += kRowSep;
      start = end + 1;
    }
    return val(emscripten::typed_memory_view(out.size(), reinterpret_cast<const unsigned char *>(out.data())));
  });
}

val implied_prefix(std::string table, val others) {
  return guarded([&]() {
    val holder = val::object();
    holder.set("o", others);
    return val(implied_detail_prefix(table, get_strings(holder, "o")));
  });
}

// noFixPlan(message, detail, hint): the "No fix plan: ..." comment script of
// a refusal.
val no_fix_plan(std::string message, std::string detail, std::string hint) {
  return guarded([&]() { return val(no_fix_plan_script(PlanRefused("", message, detail, hint))); });
}

val no_fix_blockers(std::string blockers) {
  return guarded([&]() { return val(no_fix_for_blockers(blockers)); });
}

FixPlanFacts fix_facts(const val &o) {
  FixPlanFacts f;
  f.table_q = get_string(o, "table_q");
  f.column_q = get_string(o, "column_q");
  f.referenced_table_q = get_string(o, "referenced_table_q");
  f.referenced_column_q = get_string(o, "referenced_column_q");
  f.not_null = get_bool(o, "not_null", false);
  f.source_type = get_string(o, "source_type");
  f.target_type = get_string(o, "target_type");
  f.target_typmod = get_int(o, "target_typmod", -1);
  f.source_base = get_string(o, "source_base");
  f.target_base = get_string(o, "target_base");
  std::string sc = get_string(o, "source_category"), tc = get_string(o, "target_category");
  f.source_category = sc.empty() ? 0 : sc[0];
  f.target_category = tc.empty() ? 0 : tc[0];
  f.blockers = get_string(o, "blockers");
  f.owner_code = get_string(o, "owner_code");
  f.kept = get_string(o, "kept");
  f.add = get_string(o, "add");
  f.notes = get_strings(o, "notes");
  f.wanted_constraint = get_string(o, "wanted_constraint");
  f.lost_default = get_string(o, "lost_default");
  f.collation = get_string(o, "collation");
  f.partitioned = get_bool(o, "partitioned", false);
  f.conversion = get_string(o, "conversion");
  f.guarded_conversion = get_string(o, "guarded_conversion");
  f.rewrites = get_bool(o, "rewrites", true);
  f.mode = plan_mode(get_string(o, "mode"));
  f.converts_function = get_string(o, "converts_function", "fk_guard.converts");
  f.converts_helper = get_bool(o, "converts_helper", false);
  if (present(o, "counts")) {
    val c = o["counts"];
    f.counts = PlanCounts{(long long)get_number(c, "rows", 0), (long long)get_number(c, "nulls", 0),
                          (long long)get_number(c, "convertible", 0), (long long)get_number(c, "unconvertible", 0),
                          (long long)get_number(c, "orphaned", -1)};
  }
  if (present(o, "mapping")) {
    val m = o["mapping"];
    PlanMapping map;
    map.column = sql::Ident::checked(get_string(m, "column"));
    map.covered = (long long)get_number(m, "covered", 0);
    map.total = (long long)get_number(m, "total", 0);
    map.ambiguous = (long long)get_number(m, "ambiguous", 0);
    map.ambiguous_samples = get_strings(m, "samples");
    f.mapping = map;
  }
  return f;
}

// facts.citus (the referencing table on Citus), as citus_plans::FixFacts:
// {kind, distribution_column, dist_column, colocate_with, referenced_distributed,
// shard_count, keys: [{table, constraint, definition, on_pair,
// references_column}], too_many}.
citus_plans::KeyFacts citus_key(const val &k) {
  citus_plans::KeyFacts f;
  f.table = get_string(k, "table");
  f.constraint = get_string(k, "constraint");
  f.definition = get_string(k, "definition");
  f.on_pair = get_bool(k, "on_pair", false);
  f.references_column = get_bool(k, "references_column", false);
  return f;
}

citus_plans::FixFacts citus_fix_facts(const val &o) {
  citus_plans::FixFacts f;
  f.kind = citus_table_of(get_string(o, "kind"));
  f.distribution_column = get_bool(o, "distribution_column", false);
  f.dist_column = get_string(o, "dist_column");
  f.colocate_with = get_string(o, "colocate_with");
  f.referenced_distributed = get_bool(o, "referenced_distributed", false);
  f.shard_count = get_int(o, "shard_count", 0);
  f.too_many = get_bool(o, "too_many", false);
  if (present(o, "keys")) {
    val keys = o["keys"];
    int n = keys["length"].as<int>();
    for (int i = 0; i < n; i++) f.keys.push_back(citus_key(keys[i]));
  }
  return f;
}

// fixPlanPrecheck(facts): null, or the refusal fix_plan() raises before it
// reads any data.
val fix_plan_check(val facts) {
  return guarded([&]() {
    try {
      fix_plan_precheck(fix_facts(facts));
      return val::null();
    } catch (const PlanRefused &e) {
      return refused_value(e);
    }
  });
}

// fixPlanWantsMapping(facts): should the caller look a mapping column up?
val fix_plan_wants(val facts) {
  return guarded([&]() { return val(fix_plan_wants_mapping(fix_facts(facts))); });
}

// lostRowsPredicate(facts): the rows 'delete' removes, on alias t (the
// caller counts what ON DELETE then changes in other tables).
val lost_rows(val facts) {
  return guarded([&]() {
    FixPlanFacts f = fix_facts(facts);
    return val(lost_rows_predicate(fix_plan_input(f)));
  });
}

// convertsHelperSql(): the CREATE OR REPLACE FUNCTION of the stand-in for
// fk_guard.converts() that a fix plan defines where pg_fk_guard is not
// installed (facts.converts_helper), for the caller to create it itself.
val converts_helper() {
  return guarded([&]() { return val(converts_helper_sql()); });
}

// typeIoReasonSql(trustCaller) and castReasonSql(trustCaller): the queries
// that say why reading a type ($1) or casting $1 to $2 would run code owned
// by another role (trustCaller false: by any role but a superuser), or
// return no row (trust_sql.hpp); the extension runs the same checks in C.
val type_io_reason_sql(bool trust_caller) {
  return guarded([&]() { return val(trust_sql::type_io_reason(trust_caller)); });
}
val cast_reason_sql(bool trust_caller) {
  return guarded([&]() { return val(trust_sql::cast_reason(trust_caller)); });
}

// fixPlan(facts, cascades, allowCascade): {plan} or {refused: {sqlstate,
// message, detail, hint}, no_fix: the "No fix plan: ..." comment script}.
val fix_plan(val facts, val cascades, bool allow_cascade) {
  return guarded([&]() {
    FixPlanFacts f = fix_facts(facts);
    val out = val::object();
    try {
      PlanInput in = fix_plan_input(f);
      if (present(facts, "citus"))
        citus_plans::plan_fix(citus_fix_facts(facts["citus"]), f.mode == OnUnconvertible::Map && in.mapping != nullptr,
                              &in);
      int n = cascades.isUndefined() || cascades.isNull() ? 0 : cascades["length"].as<int>();
      for (int i = 0; i < n; i++) {
        val c = cascades[i];
        CascadeEffect e;
        e.table = get_string(c, "table");
        e.constraint = get_string(c, "constraint");
        e.action = get_string(c, "action");
        e.rows = (long long)get_number(c, "rows", 0);
        in.cascades.push_back(e);
      }
      out.set("plan", finish_fix_plan(in, allow_cascade));
    } catch (const PlanRefused &e) {
      out.set("refused", refused_value(e));
      out.set("no_fix", no_fix_plan_script(e));
    }
    return out;
  });
}

// checkHygiene(keys, indexes, checks): the findings of
// check_foreign_key_hygiene() over catalog facts; each finding names its key
// by index into keys.
val check_hygiene_facts(val keys, val indexes, val checks) {
  return guarded([&]() {
    std::vector<HygieneKey> ks;
    int nk = keys["length"].as<int>();
    ks.reserve(nk);
    for (int i = 0; i < nk; i++) {
      val o = keys[i];
      HygieneKey k;
      k.id = (uint32_t)i;
      k.table = get_uint(o, "table", 0);
      k.referenced = get_uint(o, "referenced", 0);
      val cols = o["columns"], refcols = o["referenced_columns"], nulls = o["nullable"];
      int n = cols["length"].as<int>();
      for (int j = 0; j < n; j++) {
        k.columns.push_back(cols[j].as<int>());
        k.referenced_columns.push_back(refcols[j].as<int>());
        k.nullable.push_back(nulls[j].as<bool>());
      }
      k.raw_columns = get_strings(o, "raw_columns");
      k.raw_referenced_columns = get_strings(o, "raw_referenced_columns");
      for (const std::string &c : k.raw_columns) k.column_names.push_back(sql::always_quoted(c));
      k.table_name = get_string(o, "table_name");
      k.referenced_name = get_string(o, "referenced_name");
      k.raw_name = get_string(o, "raw_name");
      k.name = get_string(o, "name");
      std::string m = get_string(o, "match", "s");
      k.match = m.empty() ? 's' : m[0];
      k.validated = get_bool(o, "validated", true);
      k.enforced = get_bool(o, "enforced", true);
      k.partitioned = get_bool(o, "partitioned", false);
      k.rows = (long long)get_number(o, "rows", -1);
      k.size = get_string(o, "size");
      ks.push_back(std::move(k));
    }
    std::vector<HygieneIndex> ixs;
    int ni = indexes["length"].as<int>();
    for (int i = 0; i < ni; i++) {
      val o = indexes[i];
      HygieneIndex ix;
      ix.table = get_uint(o, "table", 0);
      ix.usable = get_bool(o, "usable", true);
      val cols = o["key_columns"];
      int n = cols["length"].as<int>();
      for (int j = 0; j < n; j++) ix.key_columns.push_back(cols[j].as<int>());
      ixs.push_back(std::move(ix));
    }
    val holder = val::object();
    holder.set("c", checks);
    std::vector<HygieneFinding> found = check_hygiene(ks, ixs, get_strings(holder, "c"));
    val out = val::array();
    for (const HygieneFinding &f : found) {
      val o = val::object();
      o.set("check", f.check);
      o.set("severity", f.severity);
      o.set("key", (int)f.key->id);
      o.set("detail", f.detail);
      o.set("suggested_fix", f.suggested_fix.empty() ? val::null() : val(f.suggested_fix));
      out.call<void>("push", o);
    }
    return out;
  });
}

Conversion conversion_field(const val &o, const char *key) { return conversion_of(get_string(o, key, "assignment")); }

char letter(const val &o, const char *key, char dflt) {
  std::string v = get_string(o, key);
  return v.empty() ? dflt : v[0];
}

KeyPlanFacts key_facts(const val &o) {
  KeyPlanFacts f;
  f.table = get_string(o, "table");
  f.column = get_string(o, "column");
  f.old_type = get_string(o, "old_type");
  f.new_type = get_string(o, "new_type");
  f.same_type = get_bool(o, "same_type", false);
  f.identity = get_bool(o, "identity", false);
  f.sequence = get_string(o, "sequence");
  f.current_default = get_string(o, "current_default");
  f.rows = (long long)get_number(o, "rows", -1);
  f.size = get_string(o, "size");
  f.blockers = get_string(o, "blockers");
  f.conversion = conversion_field(o, "conversion");
  f.integer_target = get_bool(o, "integer_target", false);
  f.uuid_target = get_bool(o, "uuid_target", false);
  f.mode = plan_mode(get_string(o, "mode"));
  if (present(o, "new_key_expression")) f.new_key_expression = get_string(o, "new_key_expression");
  f.expression_is_one_expression = get_bool(o, "expression_is_one_expression", true);
  f.include_implied = get_bool(o, "include_implied", false);
  f.online.enabled = get_bool(o, "online", false);
  f.online.batch_size = (long long)get_number(o, "batch_size", 10000);
  f.online.batch_pause = get_string(o, "batch_pause", "0.1");
  f.no_not_valid_on_partitioned = get_bool(o, "no_not_valid_on_partitioned", true);
  f.profiled = get_bool(o, "profiled", true);
  f.not_profiled_reason = get_string(o, "not_profiled_reason");
  f.rows_unconvertible = (long long)get_number(o, "rows_unconvertible", 0);
  f.sample_unconvertible = get_strings(o, "sample_unconvertible");
  f.key_partitioned = get_bool(o, "key_partitioned", false);
  f.key_is_partition = get_bool(o, "key_is_partition", false);
  f.primary_key_name = get_string(o, "primary_key_name");
  f.identity_kind = letter(o, "identity_kind", '\0');
  f.online_blockers = get_string(o, "online_blockers");
  f.schema_name = get_string(o, "schema_name");
  f.table_name = get_string(o, "table_name");
  f.column_name = get_string(o, "column_name");
  if (present(o, "referrers")) {
    val a = o["referrers"];
    int n = a["length"].as<int>();
    for (int i = 0; i < n; i++) {
      val r = a[i];
      KeyPlanReferrerFacts x;
      x.table = get_string(r, "table");
      x.column = get_string(r, "column");
      x.constraint = get_string(r, "constraint");
      x.definition = get_string(r, "definition");
      x.source_type = get_string(r, "source_type");
      x.conversion = conversion_field(r, "conversion");
      x.not_valid = get_bool(r, "not_valid", false);
      x.partitioned = get_bool(r, "partitioned", false);
      x.is_partition = get_bool(r, "is_partition", false);
      x.same_table = get_bool(r, "same_table", false);
      x.not_null = get_bool(r, "not_null", false);
      x.rows = (long long)get_number(r, "rows", -1);
      x.size = get_string(r, "size");
      x.schema_name = get_string(r, "schema_name");
      x.table_name = get_string(r, "table_name");
      x.column_name = get_string(r, "column_name");
      x.constraint_name = get_string(r, "constraint_name");
      x.key_columns = get_int(r, "key_columns", 1);
      x.set_null_columns = get_bool(r, "set_null_columns", false);
      x.match_type = letter(r, "match_type", 's');
      x.update_action = letter(r, "update_action", 'a');
      x.delete_action = letter(r, "delete_action", 'a');
      x.deferrable = get_bool(r, "deferrable", false);
      x.deferred = get_bool(r, "deferred", false);
      x.blockers = get_string(r, "blockers");
      x.cascades = get_string(r, "cascades");
      x.online_blockers = get_string(r, "online_blockers");
      x.online_has_default = get_bool(r, "online_has_default", false);
      x.index = get_string(r, "index");
      x.index_name = get_string(r, "index_name");
      x.index_method = get_string(r, "index_method");
      f.referrers.push_back(x);
    }
  }
  if (present(o, "implied")) {
    val a = o["implied"];
    int n = a["length"].as<int>();
    for (int i = 0; i < n; i++) {
      val r = a[i];
      KeyPlanImpliedFacts x;
      x.table = get_string(r, "table");
      x.column = get_string(r, "column");
      x.source_type = get_string(r, "source_type");
      x.conversion = conversion_field(r, "conversion");
      x.same_base_type = get_bool(r, "same_base_type", true);
      x.same_table = get_bool(r, "same_table", false);
      x.rows = (long long)get_number(r, "rows", -1);
      x.size = get_string(r, "size");
      x.blockers = get_string(r, "blockers");
      f.implied.push_back(x);
    }
  }
  return f;
}

// keyTypePlanPrecheck(facts): null, or the refusal change_key_type_plan()
// raises before it reads the key's values.
val key_plan_check(val facts) {
  return guarded([&]() {
    try {
      key_type_plan_precheck(key_facts(facts));
      return val::null();
    } catch (const PlanRefused &e) {
      return refused_value(e);
    }
  });
}

// facts.citus (on Citus): {tables: [{table, kind, dist_column, dist_column_q,
// colocation, shard_count, rel, keys: [{id, table, constraint, definition}]}]},
// every Citus table among the key's and its referrers' (the keys: those on
// the table by name, then those referencing it); the plan's on_citus step
// (change_key_type_plan() on the PostgreSQL side: key_plan.cpp).
void key_plan_on_citus(const val &citus, bool mapped, KeyPlanInput &in) {
  struct Table {
    citus_plans::KeyTable facts;
    std::string dist_column_q;
    std::vector<std::pair<std::string, citus_plans::KeyFacts>> keys;  // id, key
  };
  std::vector<Table> known;
  val list = citus["tables"];
  int n = list["length"].as<int>();
  for (int i = 0; i < n; i++) {
    val o = list[i];
    Table t;
    t.facts.kind = citus_table_of(get_string(o, "kind"));
    t.facts.table = get_string(o, "table");
    t.facts.dist_column = get_string(o, "dist_column");
    t.facts.colocation = get_uint(o, "colocation", 0);
    t.facts.shard_count = get_int(o, "shard_count", 0);
    t.facts.rel = get_uint(o, "rel", 0);
    t.dist_column_q = get_string(o, "dist_column_q");
    val keys = o["keys"];
    int nk = keys["length"].as<int>();
    for (int j = 0; j < nk; j++) t.keys.emplace_back(get_string(keys[j], "id"), citus_key(keys[j]));
    known.push_back(std::move(t));
  }
  auto member = [&known](const std::string &table, const std::string &column) {
    for (const Table &t : known)
      if (t.facts.table == table) {
        citus_plans::KeyTable k = t.facts;
        k.column_is_distribution = !t.dist_column_q.empty() && t.dist_column_q == column;
        return k;
      }
    citus_plans::KeyTable plain;
    plain.table = table;
    return plain;
  };
  std::vector<citus_plans::KeyTable> tables{member(in.table.str(), in.column.str())};
  for (const KeyReferrer &r : in.referrers) tables.push_back(member(r.table.str(), r.column.str()));
  std::vector<size_t> redistributed = citus_plans::plan_key(tables, mapped, &in);
  // Their other keys: each once, not the referrers' own, 128 at most.
  std::vector<citus_plans::KeyFacts> others;
  std::vector<std::string> seen;
  bool too_many = false;
  for (size_t i : redistributed) {
    for (const Table &t : known) {
      if (t.facts.table != tables[i].table) continue;
      for (const auto &[id, k] : t.keys) {
        bool skip = false;
        for (const KeyReferrer &r : in.referrers)
          skip = skip || (r.constraint && r.table.str() == k.table && r.constraint->str() == k.constraint);
        if (skip || std::find(seen.begin(), seen.end(), id) != seen.end()) continue;
        if (others.size() >= 128) {
          too_many = true;
          break;
        }
        seen.push_back(id);
        others.push_back(k);
      }
    }
  }
  if (!redistributed.empty()) citus_plans::add_other_keys(others, too_many, &in);
}

// keyTypePlan(facts): {plan} or {refused}.
val key_plan(val facts) {
  return guarded([&]() {
    val out = val::object();
    try {
      KeyPlanFacts f = key_facts(facts);
      if (present(facts, "citus")) {
        val citus = facts["citus"];
        bool mapped = f.conversion == Conversion::None;
        out.set("plan", key_type_plan_from_facts(
                            f, [&citus, mapped](KeyPlanInput &in) { key_plan_on_citus(citus, mapped, in); }));
      } else {
        out.set("plan", key_type_plan_from_facts(f));
      }
    } catch (const PlanRefused &e) {
      out.set("refused", refused_value(e));
    }
    return out;
  });
}

// explain()'s sentences (explain_text.hpp).
val fix_effect(val counts, std::string mode, std::string col, std::string table, std::string target, std::string keys,
               std::string ref_table, std::string mapping, bool declared) {
  return guarded([&]() {
    ExplainCounts c{(int64_t)get_number(counts, "rows_total", 0), (int64_t)get_number(counts, "rows_null", 0),
                    (int64_t)get_number(counts, "rows_unconvertible", 0),
                    (int64_t)get_number(counts, "rows_orphaned", 0), get_bool(counts, "orphans_checked", false)};
    return val(fix_effect_text(c, plan_mode(mode), col, table, target, keys, ref_table, mapping, declared));
  });
}

val key_effect(std::string keys, std::string new_type, bool castable, std::string ref_table, std::string mapping_column,
               double values, std::string col, bool profiled) {
  return guarded([&]() {
    return val(key_effect_text(keys, new_type, castable, ref_table, mapping_column, (int64_t)values, col, profiled));
  });
}

val key_call(std::string ref_table, std::string ref_column, std::string new_type, std::string expr) {
  return guarded([&]() { return val(key_plan_call(ref_table, ref_column, new_type, expr)); });
}

val refused_text(std::string message, std::string detail) {
  return guarded([&]() { return val(plan_refused_text(message, detail)); });
}

// citusSizeNotRead(): what a key type plan says instead of a Citus table's size.
val size_not_read() {
  return guarded([&]() { return val(std::string(citus_plans::kSizeNotRead)); });
}

val hygiene_check_names() {
  return guarded([&]() { return string_array(hygiene_checks()); });
}

}  // namespace

EMSCRIPTEN_BINDINGS(fkg_plans) {
  emscripten::function("renderPair", &render_pair);
  emscripten::function("openPairTable", &open_pair_table);
  emscripten::function("closePairTable", &close_pair_table);
  emscripten::function("pairTableSizes", &pair_table_sizes);
  emscripten::function("registerPair", &register_pair);
  emscripten::function("renderPairsById", &render_pairs_by_id);
  emscripten::function("impliedDetailPrefix", &implied_prefix);
  emscripten::function("noFixForBlockers", &no_fix_blockers);
  emscripten::function("noFixPlan", &no_fix_plan);
  emscripten::function("fixPlanPrecheck", &fix_plan_check);
  emscripten::function("fixPlanWantsMapping", &fix_plan_wants);
  emscripten::function("lostRowsPredicate", &lost_rows);
  emscripten::function("fixPlan", &fix_plan);
  emscripten::function("convertsHelperSql", &converts_helper);
  emscripten::function("typeIoReasonSql", &type_io_reason_sql);
  emscripten::function("castReasonSql", &cast_reason_sql);
  emscripten::function("checkHygiene", &check_hygiene_facts);
  emscripten::function("hygieneChecks", &hygiene_check_names);
  emscripten::function("keyTypePlanPrecheck", &key_plan_check);
  emscripten::function("keyTypePlan", &key_plan);
  emscripten::function("fixEffect", &fix_effect);
  emscripten::function("keyEffect", &key_effect);
  emscripten::function("keyPlanCall", &key_call);
  emscripten::function("planRefusedText", &refused_text);
  emscripten::function("citusSizeNotRead", &size_not_read);
}

}  // namespace wasm
}  // namespace fkg
