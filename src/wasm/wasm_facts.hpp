// The engine's facts as JavaScript hands them over (the objects
// clients/node/lib/engine-wrapper.js and lib/functions build): one reader per
// core struct, shared by src/wasm/engine_api.cpp and src/wasm/plan_api.cpp.
// An unknown name throws std::invalid_argument, which guarded() turns into
// the wrapper's Error.
#pragma once

#include <emscripten/val.h>

#include <stdexcept>
#include <string>

#include "../core/citus_rules.hpp"
#include "../core/fix_writer.hpp"  // Conversion
#include "../core/guard_text.hpp"
#include "../core/verdict.hpp"
#include "wasm_values.hpp"

namespace fkg {
namespace wasm {

inline citus_rules::Table citus_table_of(const std::string &s) {
  if (s.empty() || s == "plain") return citus_rules::Table::Plain;
  if (s == "distributed") return citus_rules::Table::Distributed;
  if (s == "single_shard") return citus_rules::Table::SingleShard;
  if (s == "reference") return citus_rules::Table::Reference;
  if (s == "local") return citus_rules::Table::Local;
  throw std::invalid_argument("unknown Citus table kind \"" + s + "\"");
}

inline ColumnType column_type(const emscripten::val &o) {
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

inline Refusal refusal_of(const std::string &s) {
  if (s.empty() || s == "none") return Refusal::None;
  if (s == "no_equality") return Refusal::NoEquality;
  if (s == "no_referencing_equality") return Refusal::NoReferencingEquality;
  if (s == "not_both_collatable") return Refusal::NotBothCollatable;
  if (s == "nondeterministic_collation") return Refusal::NondeterministicCollation;
  throw std::invalid_argument("unknown refusal \"" + s + "\"");
}

inline Comparison comparison_of(const std::string &s) {
  if (s.empty() || s == "operator") return Comparison::Operator;
  if (s == "binary_coercion") return Comparison::BinaryCoercion;
  if (s == "function_coercion") return Comparison::FunctionCoercion;
  if (s == "none") return Comparison::None;
  throw std::invalid_argument("unknown comparison \"" + s + "\"");
}

inline PairFacts pair_facts(const emscripten::val &o) {
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

inline Conversion conversion_of(const std::string &s) {
  if (s.empty() || s == "assignment") return Conversion::Assignment;
  if (s == "explicit") return Conversion::Explicit;
  if (s == "explicit_typmod") return Conversion::ExplicitTypmod;
  if (s == "none") return Conversion::None;
  if (s == "to_null") return Conversion::ToNull;
  throw std::invalid_argument("unknown conversion \"" + s + "\"");
}

// The names of a key's pair, as the guard's sentences take them.
inline KeyNames key_names(const emscripten::val &o) {
  KeyNames n;
  n.referencing_table = get_string(o, "referencing_table");
  n.referencing_column = get_string(o, "referencing_column");
  n.referencing_attname = get_string(o, "referencing_attname");
  n.referenced_table = get_string(o, "referenced_table");
  n.referenced_column = get_string(o, "referenced_column");
  n.referenced_attname = get_string(o, "referenced_attname");
  n.constraint = get_string(o, "constraint");
  return n;
}

// A profile's counts, as the guard's sentences take them (DataFacts).
inline DataFacts data_facts(const emscripten::val &o) {
  DataFacts d;
  if (o.isUndefined() || o.isNull()) return d;
  d.read = get_bool(o, "read", false);
  d.estimated = get_number(o, "estimated", -1);
  d.row_limit = (int64_t)get_number(o, "row_limit", 0);
  d.not_read = get_string(o, "not_read");
  d.user_code = get_bool(o, "user_code", false);
  d.keys = get_string(o, "keys");
  d.keys_not_read = get_string(o, "keys_not_read");
  d.rows_total = (int64_t)get_number(o, "rows_total", 0);
  d.rows_null = (int64_t)get_number(o, "rows_null", 0);
  d.rows_convertible = (int64_t)get_number(o, "rows_convertible", 0);
  d.rows_unconvertible = (int64_t)get_number(o, "rows_unconvertible", 0);
  d.rows_orphaned = (int64_t)get_number(o, "rows_orphaned", 0);
  d.orphans_checked = get_bool(o, "orphans_checked", false);
  d.sample_unconvertible = get_strings(o, "sample_unconvertible");
  d.sample_orphaned = get_strings(o, "sample_orphaned");
  return d;
}

}  // namespace wasm
}  // namespace fkg
