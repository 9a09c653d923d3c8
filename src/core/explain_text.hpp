// What explain() says its plans would do to the data profiled, and the
// change_key_type_plan() call it names: sentences both front ends write (the
// extension's src/pg/explain.cpp, the npm package through
// src/wasm/plan_api.cpp). Pure C++.
#pragma once

#include <cstdint>
#include <string>

#include "fix_writer.hpp"

namespace fkg {

// The profile's figures the sentences use.
struct ExplainCounts {
  int64_t rows_total = 0, rows_null = 0, rows_unconvertible = 0, rows_orphaned = 0;
  bool orphans_checked = false;
};

// What fix_plan()'s script in this mode does to the data profiled. col:
// table.column; keys: the referenced table.column; mapping: the mapping
// column as table.column, or empty; declared: a foreign key exists.
std::string fix_effect_text(const ExplainCounts &p, OnUnconvertible mode, const std::string &col,
                            const std::string &table, const std::string &target, const std::string &keys,
                            const std::string &ref_table, const std::string &mapping, bool declared);

// What change_key_type_plan()'s script does: the key becomes new_type;
// castable: each key keeps its value; mapping_column: the key takes the value
// of that column of ref_table (raw "legacy_uuid" as explain writes it, empty
// if none); values: the referencing column's non-NULL values; profiled:
// whether they were read.
std::string key_effect_text(const std::string &keys, const std::string &new_type, bool castable,
                            const std::string &ref_table, const std::string &mapping_column, int64_t values,
                            const std::string &col, bool profiled);

// "SELECT fk_guard.change_key_type_plan('public.users', 'id', 'uuid'[, new_key_expression => '...']);"
std::string key_plan_call(const std::string &ref_table, const std::string &ref_column, const std::string &new_type,
                          const std::string &new_key_expression);

// Why explain() shows no fix plan: a refusal's message and detail.
std::string plan_refused_text(const std::string &message, const std::string &detail);

}  // namespace fkg
