#include "fix_writer.hpp"

#include "no_postgres.hpp"

namespace fkg {

namespace {

std::string using_clause(const FixTarget &t) {
  switch (t.conversion) {
    case Conversion::Assignment:
      return "";
    case Conversion::Explicit:
      return " USING " + t.referencing_column + "::" + t.target_type;
    case Conversion::None:
      return "";
  }
  return "";
}

}  // namespace

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
  out += "ALTER TABLE " + t.referencing_table + " ALTER COLUMN " + t.referencing_column + " TYPE " + t.target_type;
  if (!t.target_collation.empty()) out += " COLLATE " + t.target_collation;
  out += using_clause(t) + ";\n";
  out += "RESET lock_timeout;";
  return out;
}

}  // namespace fkg
