// The migration guard's sentences that the engine's first entry points
// (engine_api.cpp) do not cover, for clients/node/lib/guard-judge.js: the
// refusal of keys that ALTER COLUMN TYPE makes PostgreSQL rebuild, and the
// guard's notices beyond types (duplicate keys, the validating scan). The
// same src/core functions the extension's guard calls.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>
#include <vector>

#include "../core/guard_text.hpp"
#include "wasm_facts.hpp"
#include "wasm_values.hpp"
#include "../core/no_postgres.hpp"

using emscripten::val;

namespace fkg {
namespace wasm {

namespace {

CallStyle call_style(const val &in) {
  std::string c = get_string(in, "calls", "sql");
  if (c == "sql") return CallStyle::Sql;
  if (c == "package") return CallStyle::Package;
  throw std::invalid_argument("unknown calls \"" + c + "\"");
}

val rebuilt_detail_opening_of(bool several) {
  return guarded([&]() { return val(rebuilt_detail_opening(several)); });
}

// in: {calls, names, fallback, key_side, statement, new_type, key_type,
// referrers: [{table, constraint, column, definition, large, multi,
// of_new_type, altered_here, conversion}], key_conversion,
// later_statement_retypes, key_may_follow}.
val rebuilt_hint_of(val in) {
  return guarded([&]() {
    RebuiltFacts f;
    f.names = key_names(in["names"]);
    f.fallback = get_bool(in, "fallback", false);
    f.key_side = get_bool(in, "key_side", false);
    f.statement = get_string(in, "statement");
    f.new_type = get_string(in, "new_type");
    f.key_type = get_string(in, "key_type");
    if (present(in, "referrers")) {
      val refs = in["referrers"];
      int n = refs["length"].as<int>();
      for (int i = 0; i < n; i++) {
        val r = refs[i];
        RebuiltReferrer out;
        out.table = get_string(r, "table");
        out.constraint = get_string(r, "constraint");
        out.column = get_string(r, "column");
        out.definition = get_string(r, "definition");
        out.large = get_bool(r, "large", false);
        out.multi = get_bool(r, "multi", false);
        out.of_new_type = get_bool(r, "of_new_type", false);
        out.altered_here = get_bool(r, "altered_here", false);
        out.conversion = conversion_of(get_string(r, "conversion", "none"));
        f.referrers.push_back(out);
      }
    }
    f.key_conversion = conversion_of(get_string(in, "key_conversion", "none"));
    f.later_statement_retypes = get_bool(in, "later_statement_retypes", false);
    f.key_may_follow = get_bool(in, "key_may_follow", false);
    f.calls = call_style(in);
    return val(rebuilt_hint(f));
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(fkg_guard_api) {
  emscripten::function("rebuiltDetailOpening", &rebuilt_detail_opening_of);
  emscripten::function("rebuiltHint", &rebuilt_hint_of);
}

}  // namespace wasm
}  // namespace fkg
