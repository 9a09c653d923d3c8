#include "fix_writer.hpp"

#include "no_postgres.hpp"

namespace fkg {

std::string alter_column_type_sql(const std::string &table, const std::string &column, const std::string &type,
                                  const std::string &collation, Conversion conversion) {
  std::string sql = "ALTER TABLE " + table + " ALTER COLUMN " + column + " TYPE " + type;
  if (!collation.empty()) sql += " COLLATE " + collation;
  if (conversion == Conversion::Explicit) sql += " USING " + column + "::" + type;
  return sql;
}

std::string write_type_fix(const FixTarget &t, const Verdict &v) {
  std::string col = t.referencing_table + "." + t.referencing_column;
  if (t.conversion == Conversion::None) {
    return "-- No cast turns the values of " + col + " into " + t.target_type +
           ", so ALTER COLUMN ... TYPE cannot convert it.\n"
           "-- Map each value to a key of " +
           t.referenced_table + " through another column, or NULL or delete the rows that cannot be mapped.\n";
  }
  std::string out = "SET lock_timeout = '5s';\n";
  if (v.has(Kind::TimezoneDependent))
    out +=
        "-- The conversion reads the values in the session TimeZone (SHOW TimeZone): set it to the zone the "
        "values were written in first.\n";
  out += "-- Convert " + col + " to " + t.target_type + " (rewrites " + t.referencing_table;
  if (!t.constraint_name.empty()) out += " and re-checks " + t.constraint_name;
  out += ").\n";
  out += alter_column_type_sql(t.referencing_table, t.referencing_column, t.target_type, t.target_collation,
                               t.conversion) +
         ";\n";
  out += "RESET lock_timeout;";
  return out;
}

}  // namespace fkg

namespace fkg {

bool parse_on_unconvertible(const std::string &s, OnUnconvertible *out) {
  if (s == "fail")
    *out = OnUnconvertible::Fail;
  else if (s == "null")
    *out = OnUnconvertible::Null;
  else if (s == "delete")
    *out = OnUnconvertible::Delete;
  else if (s == "map")
    *out = OnUnconvertible::Map;
  else
    return false;
  return true;
}

namespace {

std::string count_text(const PlanCounts *c, long long PlanCounts::*field, const char *what) {
  if (!c) return std::string("(not counted)");
  long long n = c->*field;
  return std::to_string(n) + " " + (n == 1 ? "row" : "rows") + " " + what;
}

std::string sql_literal(const std::string &s) {
  std::string out = "'";
  for (char ch : s) {
    if (ch == '\'') out += '\'';
    out += ch;
  }
  return out + "'";
}

}  // namespace

std::string write_fix_plan(const PlanInput &in) {
  const std::string col = in.table + "." + in.column;
  const std::string ref = in.referenced_table + "." + in.referenced_column;
  // The rows that would break the foreign key: not convertible, or no such key.
  const std::string converted = "CASE WHEN " + in.converts_function + "(" + in.column + ", " +
                                sql_literal(in.target_type) + ") THEN " + in.conversion + " END";
  const std::string lost_rows = in.column + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + in.referenced_table +
                                " r WHERE r." + in.referenced_column + " = " + converted + ")";
  std::string s;
  s += "-- pg_fk_guard fix plan: " + col + " (" + in.source_type + ") -> " + ref + " (" + in.target_type + ")\n";
  if (in.counts) {
    const PlanCounts &c = *in.counts;
    s += "-- Data when planned: " + std::to_string(c.rows) + " rows, " + std::to_string(c.nulls) + " NULL, " +
         std::to_string(c.convertible) + " convert to " + in.target_type + " (" + std::to_string(c.orphaned) +
         " of them reference no key), " + std::to_string(c.unconvertible) + " cannot.\n";
  }
  if (in.mapping)
    s += "-- " + in.referenced_table + "." + in.mapping->column + " holds " + std::to_string(in.mapping->covered) +
         " of the " + std::to_string(in.mapping->total) + " non-NULL values of " + col + ".\n";
  for (const std::string &n : in.notes) s += "-- " + n + "\n";
  s += "-- Run it in one transaction (BEGIN; ... COMMIT;): a step that fails then changes nothing.\n";
  s += "SET lock_timeout = '5s';\n";

  bool mapping = in.mode == OnUnconvertible::Map && in.mapping;
  if (mapping) {
    const std::string tmp = in.column.back() == '"' ? in.column.substr(0, in.column.size() - 1) + "__fk_guard\""
                                                    : "\"" + in.column + "__fk_guard\"";
    s += "-- Step 1: a new " + in.target_type + " column, filled through " + in.referenced_table + "." +
         in.mapping->column + " (" + std::to_string(in.mapping->covered) + " rows map).\n";
    s += "ALTER TABLE " + in.table + " ADD COLUMN " + tmp + " " + in.target_type + ";\n";
    s += "UPDATE " + in.table + " t SET " + tmp + " = r." + in.referenced_column + " FROM " + in.referenced_table +
         " r WHERE r." + in.mapping->column + " = t." + in.column + ";\n";
    s += "-- Step 2: stop, before anything is lost, if a value found no match.\n";
    s += "DO $fk_guard$\nBEGIN\n  IF EXISTS (SELECT 1 FROM " + in.table + " WHERE " + in.column + " IS NOT NULL AND " +
         tmp + " IS NULL) THEN\n    RAISE EXCEPTION 'pg_fk_guard fix plan: some values of " + col +
         " have no match in " + in.referenced_table + "." + in.mapping->column + "';\n  END IF;\nEND\n$fk_guard$;\n";
    for (const std::string &c : in.drop_constraints) s += "ALTER TABLE " + in.table + " DROP CONSTRAINT " + c + ";\n";
    s += "-- Step 3: swap the columns (the old column's indexes and defaults go with it).\n";
    s += "ALTER TABLE " + in.table + " DROP COLUMN " + in.column + ";\n";
    s += "ALTER TABLE " + in.table + " RENAME COLUMN " + tmp + " TO " + in.column + ";\n";
  } else {
    switch (in.mode) {
      case OnUnconvertible::Null:
        s += "-- Step 1: set " + col + " to NULL where it cannot become " + in.target_type + " or references no key (" +
             (in.counts ? std::to_string(in.counts->unconvertible + in.counts->orphaned) + " rows"
                        : std::string("not counted")) +
             ").\n";
        s += "UPDATE " + in.table + " SET " + in.column + " = NULL WHERE " + lost_rows + ";\n";
        break;
      case OnUnconvertible::Delete:
        s += "-- Step 1: delete the rows whose " + in.column + " cannot become " + in.target_type +
             " or references no key (" +
             (in.counts ? std::to_string(in.counts->unconvertible + in.counts->orphaned) + " rows"
                        : std::string("not counted")) +
             ").\n";
        s += "DELETE FROM " + in.table + " WHERE " + lost_rows + ";\n";
        break;
      case OnUnconvertible::Fail:
      case OnUnconvertible::Map:
        s += "-- Step 1: stop before changing anything if a row would be lost: " +
             count_text(in.counts, &PlanCounts::unconvertible, "cannot convert") + ", " +
             count_text(in.counts, &PlanCounts::orphaned, "reference no key") + ".\n";
        s += "DO $fk_guard$\nBEGIN\n  IF EXISTS (SELECT 1 FROM " + in.table + " WHERE " + lost_rows +
             ") THEN\n    RAISE EXCEPTION 'pg_fk_guard fix plan: some rows of " + in.table +
             " would be lost: " + in.column + " cannot become " + in.target_type + " or references no key in " +
             in.referenced_table +
             "'\n      USING HINT = 'Plan again with on_unconvertible => ''null'', ''delete'' or ''map''.';\n"
             "  END IF;\nEND\n$fk_guard$;\n";
        break;
    }
    for (const std::string &c : in.drop_constraints)
      s += "-- Drop " + c + ", which the new foreign key replaces.\nALTER TABLE " + in.table + " DROP CONSTRAINT " + c +
           ";\n";
    if (in.conversion_needed) {
      s += "-- Step 2: convert " + col + " to " + in.target_type + " (rewrites " + in.table + ": " +
           count_text(in.counts, &PlanCounts::rows, "in all") + ").\n";
      s += "ALTER TABLE " + in.table + " ALTER COLUMN " + in.column + " TYPE " + in.target_type + " USING " +
           in.conversion + ";\n";
    }
  }
  s += "-- Add the foreign key without scanning " + in.table + " under a heavy lock, then validate it.\n";
  s += "ALTER TABLE " + in.table + " ADD CONSTRAINT " + in.constraint + " FOREIGN KEY (" + in.column + ") REFERENCES " +
       in.referenced_table + " (" + in.referenced_column + ") NOT VALID;\n";
  s += "ALTER TABLE " + in.table + " VALIDATE CONSTRAINT " + in.constraint + ";\n";
  s += "RESET lock_timeout;\n";
  return s;
}

}  // namespace fkg
