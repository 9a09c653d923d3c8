#include "explain_text.hpp"

#include "guard_text.hpp"  // plural
#include "sql_writer.hpp"
#include "no_postgres.hpp"

namespace fkg {

std::string fix_effect_text(const ExplainCounts &p, OnUnconvertible mode, const std::string &col,
                            const std::string &table, const std::string &target, const std::string &keys,
                            const std::string &ref_table, const std::string &mapping, bool declared) {
  const std::string key_step = declared ? ", and PostgreSQL rebuilds the foreign key and checks it again"
                                        : ", then adds the foreign key and validates it";
  int64_t values = p.rows_total - p.rows_null;
  std::string nulls = p.rows_null > 0 ? "; the " + plural(p.rows_null, "NULL stays", "NULLs stay") + " NULL" : "";
  int64_t lost = p.rows_unconvertible + (p.orphans_checked ? p.rows_orphaned : 0);
  if (values == 0)
    return "On this data: " + table + " holds no value in " + col +
           " (every row NULL or none), so the conversion loses nothing and the foreign key has nothing to check.";
  if (mode == OnUnconvertible::Map)
    return "On this data: maps each of the " + plural(values, "value", "values") + " of " + col +
           " to the key of the row of " + ref_table + " whose " + mapping.substr(ref_table.size() + 1) +
           " holds it (every value has exactly one), converts " + col + " to " + target + nulls + key_step +
           "; no row is lost.";
  if (lost == 0)
    return "On this data: converts all " + plural(values, "value", "values") + " of " + col + " to " + target +
           ", each of which matches a key of " + keys + nulls + key_step + "; no row is lost.";
  std::string why;
  if (p.rows_unconvertible > 0)
    why = plural(p.rows_unconvertible, "value cannot", "values cannot") + " become " + target;
  if (p.orphans_checked && p.rows_orphaned > 0)
    why +=
        (why.empty() ? "" : " and ") + plural(p.rows_orphaned, "value matches", "values match") + " no key of " + keys;
  return "On this data: the script stops at its first check and changes nothing, because " + why +
         ". With on_unconvertible => 'null' " + (lost == 1 ? "that value becomes" : "those values become") +
         " NULL; with 'delete' " + (lost == 1 ? "its row is" : "their rows are") + " deleted (" +
         plural(lost, "row", "rows") + " of " + plural(p.rows_total, "row", "rows") + ")" +
         (mapping.empty() ? "" : "; with 'map' they are looked up through " + mapping) + ".";
}

std::string key_effect_text(const std::string &keys, const std::string &new_type, bool castable,
                            const std::string &ref_table, const std::string &mapping_column, int64_t values,
                            const std::string &col, bool profiled) {
  std::string e =
      "On this data: " + keys + " becomes " + new_type + ", with every column that references it by a foreign key";
  if (castable)
    e += "; each key keeps its value, converted";
  else if (!mapping_column.empty())
    e += "; each key takes the value of " + ref_table + "." + mapping_column + ", which holds every one of the " +
         plural(values, "value", "values") + " of " + col + ", so " + col +
         " then references it unchanged and the foreign key can be added without converting it";
  else
    e += "; no cast exists, so every key gets a new value" +
         (profiled && values > 0
              ? ", and the " + plural(values, "value", "values") + " of " + col + " would match none of them"
              : std::string());
  return e + ".";
}

std::string key_plan_call(const std::string &ref_table, const std::string &ref_column, const std::string &new_type,
                          const std::string &new_key_expression) {
  return "SELECT fk_guard.change_key_type_plan(" + sql::literal(ref_table) + ", " + sql::literal(ref_column) + ", " +
         sql::literal(new_type) +
         (new_key_expression.empty() ? "" : ", new_key_expression => " + sql::literal(new_key_expression)) + ");";
}

std::string plan_refused_text(const std::string &message, const std::string &detail) {
  return message + (detail.empty() ? "" : ": " + detail);
}

}  // namespace fkg
