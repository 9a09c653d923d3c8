// The migration guard's sentences that the engine's first entry points
// (engine_api.cpp) do not cover, for clients/node/lib/guard-judge.js: the
// refusal of keys that ALTER COLUMN TYPE makes PostgreSQL rebuild, the
// refusal of a key column's conversion that no cast can do, and the guard's
// notices beyond types (duplicate keys, the validating scan). The same
// src/core functions the extension's guard calls.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>
#include <vector>

#include "../core/guard_text.hpp"
#include "../core/tool_notes.hpp"
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

KeyDefinition key_definition(const val &o) {
  KeyDefinition d;
  if (o.isUndefined() || o.isNull()) return d;
  std::string u = get_string(o, "on_update", "a"), del = get_string(o, "on_delete", "a"),
              m = get_string(o, "match", "s");
  d.on_update = u.empty() ? 'a' : u[0];
  d.on_delete = del.empty() ? 'a' : del[0];
  d.match = m.empty() ? 's' : m[0];
  d.deferrable = get_bool(o, "deferrable", false);
  d.deferred = get_bool(o, "deferred", false);
  return d;
}

// {name, quoted_name, named, table, referenced_table, columns, referenced_columns,
// definition: {on_update, on_delete, match, deferrable, deferred}, on_delete_columns, new_column}
NewKeyText new_key(const val &o) {
  NewKeyText k;
  k.name = get_string(o, "name");
  k.quoted_name = get_string(o, "quoted_name");
  k.named = get_bool(o, "named", false);
  k.table = get_string(o, "table");
  k.referenced_table = get_string(o, "referenced_table");
  k.columns = get_strings(o, "columns");
  k.referenced_columns = get_strings(o, "referenced_columns");
  k.definition = key_definition(o["definition"]);
  k.on_delete_columns = get_strings(o, "on_delete_columns");
  k.new_column = get_bool(o, "new_column", false);
  return k;
}

val notice_value(const NoticeText &t) {
  val out = val::object();
  out.set("message", t.message);
  out.set("detail", t.detail);
  out.set("hint", t.hint);
  return out;
}

// old: {name, quoted, definition, validated}
val duplicate_existing_of(val key, val old, bool as_error, val in) {
  return guarded([&]() {
    ExistingKeyText o;
    o.name = get_string(old, "name");
    o.quoted = get_string(old, "quoted");
    o.definition = key_definition(old["definition"]);
    o.validated = get_bool(old, "validated", true);
    return notice_value(duplicate_existing(new_key(key), o, as_error, call_style(in)));
  });
}

val duplicate_in_statement_of(val key, val first, bool as_error, val in) {
  return guarded(
      [&]() { return notice_value(duplicate_in_statement(new_key(key), new_key(first), as_error, call_style(in))); });
}

// scan: {own_lock, self, rows, partitioned, size, two_steps_refused, notice_rows}
val validation_scan_of(val key, val scan, val in) {
  return guarded([&]() {
    ValidationScan s;
    s.own_lock = get_string(scan, "own_lock", "SHARE ROW EXCLUSIVE");
    s.self = get_bool(scan, "self", false);
    s.rows = (long long)get_number(scan, "rows", 0);
    s.partitioned = get_bool(scan, "partitioned", false);
    s.size = get_string(scan, "size");
    s.two_steps_refused = get_bool(scan, "two_steps_refused", false);
    s.notice_rows = (long long)get_number(scan, "notice_rows", 0);
    return notice_value(validation_scan(new_key(key), s, call_style(in)));
  });
}

// shape: {query, application_name}: the note for the tool whose conversion
// shape the statement has (recognise_cast_tool), {tool: null, note: ''} when none.
val cast_tool_note_of(val shape) {
  return guarded([&]() {
    std::string query = get_string(shape, "query"), app = get_string(shape, "application_name");
    StatementShape s{query, "", app, "", {}, "", "", ""};
    const ToolNote *t = recognise_cast_tool(s);
    val out = val::object();
    out.set("tool", t ? val(std::string(t->tool)) : val::null());
    out.set("note", t ? t->note(s, "") : std::string());
    return out;
  });
}

// The conversion's fields that cast_refusal() and dropped_keys_refusal()
// share: {table, column, attname, source, target, cast_to, with_using}.
void read_conversion(const val &in, ConversionText &f) {
  f.table = get_string(in, "table");
  f.column = get_string(in, "column");
  f.attname = get_string(in, "attname");
  f.source = get_string(in, "source");
  f.target = get_string(in, "target");
  f.cast_to = get_string(in, "cast_to");
  f.with_using = get_bool(in, "with_using", false);
}

// in: {calls, table, column, attname, source, target, cast_to, with_using,
// referenced_table, referenced_column, referenced_attname, key_type,
// constraint, key_of_target_type, data (DataFacts), key_may_follow, tool_note}
val cast_refusal_of(val in) {
  return guarded([&]() {
    CastRefusalFacts f;
    read_conversion(in, f);
    f.referenced_table = get_string(in, "referenced_table");
    f.referenced_column = get_string(in, "referenced_column");
    f.referenced_attname = get_string(in, "referenced_attname");
    f.key_type = get_string(in, "key_type");
    f.constraint = get_string(in, "constraint");
    f.key_of_target_type = get_bool(in, "key_of_target_type", false);
    f.data = data_facts(in["data"]);
    f.key_may_follow = get_bool(in, "key_may_follow", false);
    f.tool_note = get_string(in, "tool_note");
    f.calls = call_style(in);
    return notice_value(cast_refusal(f));
  });
}

// droppedKeysRefusal({table, column, attname, source, target, cast_to,
// with_using, uuid_target, references: [{column, type, constraint}], calls}):
// {message, detail, hint} of a key column that no cast converts, whose
// referencing keys this transaction dropped.
val dropped_keys_refusal_of(val in) {
  return guarded([&]() {
    DroppedKeysFacts f;
    read_conversion(in, f);
    f.uuid_target = get_bool(in, "uuid_target", false);
    if (present(in, "references")) {
      val refs = in["references"];
      int n = refs["length"].as<int>();
      for (int i = 0; i < n; i++)
        f.references.push_back(
            {get_string(refs[i], "column"), get_string(refs[i], "type"), get_string(refs[i], "constraint")});
    }
    f.calls = call_style(in);
    return notice_value(dropped_keys_refusal(f));
  });
}

}  // namespace

EMSCRIPTEN_BINDINGS(fkg_guard_api) {
  emscripten::function("duplicateExisting", &duplicate_existing_of);
  emscripten::function("duplicateInStatement", &duplicate_in_statement_of);
  emscripten::function("validationScan", &validation_scan_of);
  emscripten::function("rebuiltDetailOpening", &rebuilt_detail_opening_of);
  emscripten::function("rebuiltHint", &rebuilt_hint_of);
  emscripten::function("castToolNote", &cast_tool_note_of);
  emscripten::function("castRefusal", &cast_refusal_of);
  emscripten::function("droppedKeysRefusal", &dropped_keys_refusal_of);
}

}  // namespace wasm
}  // namespace fkg
