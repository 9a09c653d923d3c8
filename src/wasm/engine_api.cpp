// The engine's C API for WebAssembly (clients/node): src/core, compiled with
// emscripten, called from JavaScript through embind. Every function takes and
// returns plain JavaScript values (objects, strings, numbers); a C++
// exception becomes a JavaScript Error whose message is the exception's.
// Pure C++: no PostgreSQL header; the facts come from the catalog queries
// and probes the JavaScript side runs (clients/node/lib/probe.js).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>
#include <vector>

#include "../core/citus_plans.hpp"
#include "../core/citus_rules.hpp"
#include "../core/fix_writer.hpp"
#include "../core/guard_text.hpp"
#include "../core/input_check.hpp"
#include "../core/naming.hpp"
#include "../core/sql_writer.hpp"
#include "../core/tool_notes.hpp"
#include "../core/verdict.hpp"
#include "wasm_facts.hpp"
#include "wasm_values.hpp"
#include "../core/no_postgres.hpp"

using emscripten::val;

namespace fkg {
namespace wasm {

namespace {

val verdict_value(const Verdict &v) {
  val out = val::object();
  out.set("kind", std::string(kind_name(v.kind)));
  out.set("severity", std::string(severity_name(v.severity())));
  out.set("explanation", v.explanation());
  val problems = val::array();
  for (size_t i = 0; i < v.problems.size(); i++) {
    val p = val::object();
    p.set("kind", std::string(kind_name(v.problems[i].kind)));
    p.set("sentence", v.problems[i].sentence);
    problems.call<void>("push", p);
  }
  out.set("problems", problems);
  return out;
}

// ---- The entry points (each runs inside guarded()) ----

val classify_pair(val facts) {
  return guarded([&]() { return verdict_value(classify(pair_facts(facts))); });
}

val identical_types(val a, val b) {
  return guarded([&]() { return val(identical(column_type(a), column_type(b))); });
}

val whole_value(val referencing, val referenced) {
  return guarded([&]() { return val(whole_value_problem(column_type(referencing), column_type(referenced))); });
}

val kinds() {
  return guarded([&]() {
    val out = val::array();
    for (int k = (int)Kind::Incompatible; k <= (int)Kind::None; k++) {
      val e = val::object();
      e.set("kind", std::string(kind_name((Kind)k)));
      e.set("severity", std::string(severity_name(kind_severity((Kind)k))));
      out.call<void>("push", e);
    }
    return out;
  });
}

val reference_stem_of(std::string column) {
  return guarded([&]() {
    std::optional<std::string> s = reference_stem(column);
    return s ? val(*s) : val::null();
  });
}

val candidates(std::string stem, std::string referencing_table) {
  return guarded([&]() { return string_array(candidate_tables(stem, referencing_table)); });
}

val check_input_value(std::string type, std::string text, int typmod) {
  return guarded([&]() {
    std::optional<CheckType> t = check_type_for(type);
    if (!t) return val::null();
    CheckResult r = check_input(*t, text, typmod);
    val out = val::object();
    out.set("ok", r.ok);
    out.set("error", r.error);
    return out;
  });
}

val quote_ident(std::string raw) {
  return guarded([&]() { return val(sql::Ident::quote(raw).str()); });
}

val quote_qualified(std::string schema, std::string name) {
  return guarded([&]() { return val(sql::Ident::qualified(schema, name).str()); });
}

val quote_literal(std::string s) {
  return guarded([&]() { return val(sql::literal(s)); });
}

val alter_type_sql(std::string table, std::string column, std::string type, std::string collation,
                   std::string conversion) {
  return guarded(
      [&]() { return val(alter_column_type_sql(table, column, type, collation, conversion_of(conversion))); });
}

// The suggested_fix for a pair: target as FixTarget's fields, facts as
// classify_pair takes them.
val type_fix(val target, val facts) {
  return guarded([&]() {
    FixTarget t;
    t.referencing_table = get_string(target, "referencing_table");
    t.referencing_column = get_string(target, "referencing_column");
    t.referenced_table = get_string(target, "referenced_table");
    t.referenced_column = get_string(target, "referenced_column");
    t.target_type = get_string(target, "target_type");
    t.target_collation = get_string(target, "target_collation");
    t.constraint_name = get_string(target, "constraint_name");
    t.conversion = conversion_of(get_string(target, "conversion"));
    PairFacts f = pair_facts(facts);
    t.whole_value = whole_value_problem(f.referencing, f.referenced);
    return val(write_type_fix(t, classify(f)));
  });
}

val tool_note(val shape, std::string key_type) {
  return guarded([&]() {
    std::string query = get_string(shape, "query"), constraint = get_string(shape, "constraint"),
                app = get_string(shape, "application_name"), table = get_string(shape, "table"),
                column = get_string(shape, "column"), rtable = get_string(shape, "referenced_table"),
                rcolumn = get_string(shape, "referenced_column");
    StatementShape s{query, constraint, app, table, get_strings(shape, "columns"), column, rtable, rcolumn};
    val out = val::object();
    const ToolNote *t = recognise_tool(s);
    out.set("tool", t ? val(std::string(t->tool)) : val::null());
    out.set("note", tool_note_for(s, key_type));
    return out;
  });
}

// ---- The guard's sentences (guard_text.hpp) ----

Kind kind_of(const std::string &s) {
  for (int k = (int)Kind::Incompatible; k <= (int)Kind::None; k++)
    if (s == kind_name((Kind)k)) return (Kind)k;
  throw std::invalid_argument("unknown kind \"" + s + "\"");
}

// Which functions a HINT names: in.calls 'sql' (the extension's, default) or
// 'package' (the npm package's JavaScript functions).
CallStyle calls_of(val in) {
  std::string c = get_string(in, "calls", "sql");
  if (c == "sql") return CallStyle::Sql;
  if (c == "package") return CallStyle::Package;
  throw std::invalid_argument("unknown calls \"" + c + "\"");
}

// A refused key: {message, detail, hint}. in: {calls, names, facts (classify's),
// fk_retyped, pk_retyped, data, declared_here, collation_refusal,
// conversion, alter, key_may_follow, later_statement_retypes, tool_note,
// left_out: {data_not_read, keys_not_read, objects, history}, explain_call,
// data_sentence (bool: add the data sentence)}.
val refusal_report(val in) {
  return guarded([&]() {
    KeyNames n = key_names(in["names"]);
    PairFacts facts = pair_facts(in["facts"]);
    Verdict v = classify(facts);
    DataFacts d = data_facts(in["data"]);
    RefusalFacts f;
    f.names = n;
    f.fk = facts.referencing;
    f.pk = facts.referenced;
    f.declared_here = get_bool(in, "declared_here", false);
    f.type_changed = get_bool(in, "fk_retyped", false);
    f.collation_refusal =
        facts.refusal == Refusal::NotBothCollatable || facts.refusal == Refusal::NondeterministicCollation;
    f.conversion = conversion_of(get_string(in, "conversion", "none"));
    f.calls = calls_of(in);
    f.alter = get_string(in, "alter");
    f.data = d;
    if (get_bool(in, "key_may_follow", false) && whole_value_problem(f.fk, f.pk).empty())
      f.key_change_note = key_change_note(n, f.fk.base_display, f.calls);
    f.later_statement_retypes = get_bool(in, "later_statement_retypes", false);
    f.tool_note = get_string(in, "tool_note");
    if (present(in, "left_out")) {
      val lo = in["left_out"];
      LeftOut left;
      left.data_not_read = !d.read;
      left.keys_not_read = !d.keys_not_read.empty();
      left.objects = get_bool(lo, "objects", false);
      left.history = get_bool(lo, "history", false);
      f.explain_note = explain_note(left, get_string(in, "explain_call"));
    }
    std::string detail = pair_detail(n, f.fk, f.type_changed, f.pk, get_bool(in, "pk_retyped", false), v);
    std::string data = data_sentence(n.referencing_table, n.referencing_column, f.fk.display, f.pk.display, d);
    if (!data.empty()) detail += " " + data;
    val out = val::object();
    out.set("kind", std::string(kind_name(v.kind)));
    out.set("message", refusal_message(n.constraint));
    out.set("detail", detail);
    out.set("pair_detail", pair_detail(n, f.fk, f.type_changed, f.pk, get_bool(in, "pk_retyped", false), v));
    out.set("data_sentence", data);
    out.set("hint", incompatible_hint(f));
    return out;
  });
}

// A soft mismatch: {kind, severity, message, detail, hint}, or {kind: 'none'}.
// in: {calls, names, facts, declared_here, fk_retyped, referenced_retyped, rebuilt
// (an existing key ALTER COLUMN TYPE rebuilds), alter, key_may_follow}.
val soft_report(val in) {
  return guarded([&]() {
    KeyNames n = key_names(in["names"]);
    PairFacts facts = pair_facts(in["facts"]);
    Verdict v = classify(facts);
    val out = val::object();
    out.set("kind", std::string(kind_name(v.kind)));
    out.set("severity", std::string(severity_name(v.severity())));
    if (v.kind == Kind::None || v.kind == Kind::Incompatible) return out;
    SoftFacts f;
    f.names = n;
    f.pk = facts.referenced;
    f.kind = v.kind;
    f.declared_here = get_bool(in, "declared_here", false);
    f.referenced_retyped = get_bool(in, "referenced_retyped", false);
    bool fk_retyped = get_bool(in, "fk_retyped", false);
    f.alter = get_string(in, "alter");
    if (v.kind == Kind::Width && get_bool(in, "key_may_follow", false) &&
        whole_value_problem(facts.referencing, facts.referenced).empty())
      f.key_change_note = key_change_note(n, facts.referencing.base_display, calls_of(in));
    out.set("message",
            soft_message(n.constraint, get_bool(in, "rebuilt", false), facts.referencing, facts.referenced, v.kind));
    out.set("detail", pair_detail(n, facts.referencing, fk_retyped, facts.referenced, f.referenced_retyped, v));
    out.set("hint", soft_hint(f));
    return out;
  });
}

val data_sentence_of(std::string table, std::string column, std::string source, std::string target, val data) {
  return guarded([&]() { return val(data_sentence(table, column, source, target, data_facts(data))); });
}

val fix_plan_call_of(std::string table, std::string column, std::string rtable, std::string rcolumn, val mode,
                     val constraint) {
  return guarded([&]() {
    std::string m = mode.isString() ? mode.as<std::string>() : "";
    std::string c = constraint.isString() ? constraint.as<std::string>() : "";
    return val(fix_plan_call(table, column, rtable, rcolumn, mode.isString() ? m.c_str() : nullptr,
                             constraint.isString() ? c.c_str() : nullptr));
  });
}

val explain_call_of(std::string qualified, std::string column, std::string calls) {
  return guarded([&]() {
    if (calls != "sql" && calls != "package") throw std::invalid_argument("unknown calls \"" + calls + "\"");
    return val(explain_call(qualified, column, calls == "package" ? CallStyle::Package : CallStyle::Sql));
  });
}

val type_with_collation(val type, bool show) {
  return guarded([&]() { return val(type_with_collation_note(column_type(type), show)); });
}

citus_rules::Side citus_side(const val &o) {
  citus_rules::Side side;
  side.kind = citus_table_of(get_string(o, "kind"));
  side.table = get_string(o, "table");
  side.dist_column = get_string(o, "dist_column");
  side.dist_type = get_string(o, "dist_type");
  side.dist_position = get_int(o, "dist_position", -1);
  side.colocation = get_uint(o, "colocation", 0);
  side.dist_type_oid = get_uint(o, "dist_type_oid", 0);
  side.dist_collation_oid = get_uint(o, "dist_collation_oid", 0);
  return side;
}

char action_of(const val &o, const char *key) {
  std::string a = get_string(o, key, "a");
  if (a.size() != 1 || std::string("arcnd").find(a[0]) == std::string::npos)
    throw std::invalid_argument(std::string("unknown referential action \"") + a + "\"");
  return a[0];
}

// Citus's rules for a foreign key between its tables (citus_rules::check):
// null when Citus accepts it, else {sqlstate, message, detail, hint, kind,
// diagnose_detail, diagnose_fix}.
// in: {referencing: side, referenced: side, self, on_delete, on_update}, a
// side {kind: plain|distributed|single_shard|reference|local, table,
// dist_column, dist_type, dist_position, colocation, dist_type_oid,
// dist_collation_oid}; actions as pg_constraint's codes (a r c n d).
val citus_check(val in) {
  return guarded([&]() {
    citus_rules::Key key;
    key.referencing = citus_side(in["referencing"]);
    key.referenced = citus_side(in["referenced"]);
    key.self = get_bool(in, "self", false);
    key.on_delete = action_of(in, "on_delete");
    key.on_update = action_of(in, "on_update");
    std::optional<citus_rules::Refusal> r = citus_rules::check(key);
    if (!r) return val::null();
    val out = val::object();
    out.set("sqlstate", std::string(r->sqlstate_class == 1 ? "42P16" : "0A000"));
    out.set("message", r->message);
    out.set("detail", r->detail);
    out.set("hint", r->hint);
    out.set("kind", r->kind);
    // diagnose_fk_mismatches()' detail and suggested_fix for a key Citus refuses
    out.set("diagnose_detail", citus_plans::refusal_detail(*r));
    out.set("diagnose_fix", citus_plans::refusal_fix(*r));
    return out;
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(fkg_engine) {
  emscripten::function("classify", &classify_pair);
  emscripten::function("identical", &identical_types);
  emscripten::function("wholeValueProblem", &whole_value);
  emscripten::function("kinds", &kinds);
  emscripten::function("referenceStem", &reference_stem_of);
  emscripten::function("candidateTables", &candidates);
  emscripten::function("checkInput", &check_input_value);
  emscripten::function("quoteIdent", &quote_ident);
  emscripten::function("quoteQualified", &quote_qualified);
  emscripten::function("quoteLiteral", &quote_literal);
  emscripten::function("alterColumnTypeSql", &alter_type_sql);
  emscripten::function("typeFix", &type_fix);
  emscripten::function("toolNote", &tool_note);
  emscripten::function("refusalReport", &refusal_report);
  emscripten::function("softReport", &soft_report);
  emscripten::function("dataSentence", &data_sentence_of);
  emscripten::function("fixPlanCall", &fix_plan_call_of);
  emscripten::function("explainCall", &explain_call_of);
  emscripten::function("typeWithCollationNote", &type_with_collation);
  emscripten::function("citusCheck", &citus_check);
}

}  // namespace wasm
}  // namespace fkg
