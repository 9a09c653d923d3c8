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

#include "../core/fix_writer.hpp"
#include "../core/input_check.hpp"
#include "../core/naming.hpp"
#include "../core/sql_writer.hpp"
#include "../core/tool_notes.hpp"
#include "../core/verdict.hpp"
#include "wasm_values.hpp"
#include "../core/no_postgres.hpp"

using emscripten::val;

namespace fkg {
namespace wasm {

namespace {

ColumnType column_type(const val &o) {
  ColumnType c;
  c.type_oid = get_uint(o, "type_oid", 0);
  c.typmod = get_int(o, "typmod", -1);
  c.collation_oid = get_uint(o, "collation_oid", 0);
  c.display = get_string(o, "display");
  c.base = get_string(o, "base");
  c.base_display = get_string(o, "base_display", c.display);
  c.builtin = get_bool(o, "builtin", true);
  c.domain = get_string(o, "domain");
  c.collation = get_string(o, "collation");
  c.collation_deterministic = get_bool(o, "collation_deterministic", true);
  std::string cat = get_string(o, "category");
  c.category = cat.empty() ? 0 : cat[0];
  return c;
}

Refusal refusal_of(const std::string &s) {
  if (s.empty() || s == "none") return Refusal::None;
  if (s == "no_equality") return Refusal::NoEquality;
  if (s == "no_referencing_equality") return Refusal::NoReferencingEquality;
  if (s == "not_both_collatable") return Refusal::NotBothCollatable;
  if (s == "nondeterministic_collation") return Refusal::NondeterministicCollation;
  throw std::invalid_argument("unknown refusal \"" + s + "\"");
}

Comparison comparison_of(const std::string &s) {
  if (s.empty() || s == "operator") return Comparison::Operator;
  if (s == "binary_coercion") return Comparison::BinaryCoercion;
  if (s == "function_coercion") return Comparison::FunctionCoercion;
  if (s == "none") return Comparison::None;
  throw std::invalid_argument("unknown comparison \"" + s + "\"");
}

PairFacts pair_facts(const val &o) {
  PairFacts f;
  f.referencing = column_type(o["referencing"]);
  f.referenced = column_type(o["referenced"]);
  f.accepted = get_bool(o, "accepted", true);
  f.refusal = refusal_of(get_string(o, "refusal"));
  f.comparison = comparison_of(get_string(o, "comparison"));
  f.referencing_index_usable = get_bool(o, "referencing_index_usable", true);
  f.opfamily = get_string(o, "opfamily");
  f.compared_as = get_string(o, "compared_as");
  return f;
}

Conversion conversion_of(const std::string &s) {
  if (s.empty() || s == "assignment") return Conversion::Assignment;
  if (s == "explicit") return Conversion::Explicit;
  if (s == "explicit_typmod") return Conversion::ExplicitTypmod;
  if (s == "none") return Conversion::None;
  if (s == "to_null") return Conversion::ToNull;
  throw std::invalid_argument("unknown conversion \"" + s + "\"");
}

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
}

}  // namespace wasm
}  // namespace fkg
