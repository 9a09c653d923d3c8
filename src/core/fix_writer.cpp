#include "fix_writer.hpp"

#include <cctype>
#include <stdexcept>

#include "no_postgres.hpp"
#include "trust_sql.hpp"

namespace fkg {

using sql::Ident;
using sql::Script;
using sql::Statement;

namespace {

// "<prefix><digits>)" exactly: a type modifier of one number.
bool one_modifier(const std::string &type, const std::string &prefix) {
  if (type.size() < prefix.size() + 2 || type.compare(0, prefix.size(), prefix) != 0 || type.back() != ')')
    return false;
  for (size_t i = prefix.size(); i + 1 < type.size(); i++)
    if (!std::isdigit((unsigned char)type[i])) return false;
  return true;
}

}  // namespace

std::string using_cast_type(const std::string &type) {
  if (one_modifier(type, "character varying(")) return "character varying";
  if (one_modifier(type, "character(")) return "bpchar";  // "character" alone is character(1)
  if (one_modifier(type, "bit varying(")) return "bit varying";
  if (one_modifier(type, "bit(")) return "\"bit\"";  // bit alone is bit(1)
  return type;
}

std::string alter_column_type_sql(const std::string &table, const std::string &column, const std::string &type,
                                  const std::string &collation, Conversion conversion) {
  const std::string t = Ident::checked(table).str();
  const std::string c = Ident::checked(column).str();
  std::string sql = "ALTER TABLE " + t + " ALTER COLUMN " + c + " TYPE " + type;
  if (!collation.empty()) sql += " COLLATE " + Ident::checked(collation).str();
  if (conversion == Conversion::Explicit) sql += " USING " + c + "::" + using_cast_type(type);
  if (conversion == Conversion::ExplicitTypmod) sql += " USING " + c + "::" + type;
  if (conversion == Conversion::ToNull) sql += " USING NULL";
  return sql;
}

std::string write_type_fix(const FixTarget &t, const Verdict &v) {
  std::string col = t.referencing_table + "." + t.referencing_column;
  Script s;
  if (!t.whole_value.empty()) {
    s.header(t.whole_value);
    return s.render(false);
  }
  if (t.distribution_column) {
    s.header(col +
             " is the distribution column of a Citus distributed table, whose type Citus cannot change in "
             "place (it refuses ALTER COLUMN ... TYPE on it).");
    s.header("fk_guard.fix_plan() writes the script that converts it: it drops the foreign keys that involve " +
             t.referencing_table +
             ", turns it into a PostgreSQL table (undistribute_table), converts the column, distributes it again "
             "and adds the keys back.");
    return s.render(false);
  }
  if (t.conversion == Conversion::None) {
    s.header("No cast turns the values of " + col + " into " + t.target_type +
             ", so ALTER COLUMN ... TYPE cannot convert it.");
    s.header("Map each value to a key of " + t.referenced_table +
             " through another column, or NULL or delete the rows that cannot be mapped: fk_guard.fix_plan() "
             "writes that script.");
    return s.render(false);
  }
  if (v.has(Kind::TimezoneDependent))
    s.header(
        "The conversion reads the values in the session TimeZone (SHOW TimeZone): set it to the zone the "
        "values were written in first.");
  s.add({"SET", "SET lock_timeout = '5s'", "", "", ""});
  std::string what = "Convert " + col + " to " + t.target_type + " (rewrites " + t.referencing_table;
  if (!t.constraint_name.empty())
    what += "; PostgreSQL rebuilds " + t.constraint_name + " with its whole definition and re-checks it";
  what += ").";
  s.add({"ALTER TABLE",
         alter_column_type_sql(t.referencing_table, t.referencing_column, t.target_type, t.target_collation,
                               t.conversion),
         what, "", ""});
  s.add({"RESET", "RESET lock_timeout", "", "", ""});
  return s.render(false);
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

std::string rows(long long n) { return std::to_string(n) + (n == 1 ? " row" : " rows"); }

std::string count_text(const PlanCounts *c, long long PlanCounts::*field, const char *what) {
  if (!c || c->*field < 0) return std::string("(not counted)");
  return rows(c->*field) + " " + what;
}

// Everything in a plan compares with PostgreSQL's own equality operator,
// whatever operators the caller's search_path would otherwise find.
const char *kEq = " OPERATOR(pg_catalog.=) ";

std::string raise(const std::string &message, const std::string &hint) {
  std::string s = "    RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = " + sql::literal(message);
  if (!hint.empty()) s += ",\n      HINT = " + sql::literal(hint);
  return s + ";\n";
}

std::string do_block(const std::string &body) { return "DO " + sql::dollar_quoted("\nBEGIN\n" + body + "END\n"); }

// The column as text, compared byte for byte.
std::string as_text(const std::string &column) {
  return "(t." + column + "::pg_catalog.text COLLATE pg_catalog.\"C\")";
}

// A modification of the rows `predicate` picks (on alias t) without calling
// anything VOLATILE in it: Citus refuses that on its tables (0A000), and
// fk_guard.converts() is VOLATILE. A query finds the values first (Citus runs
// queries with VOLATILE functions on the shards), then the rows are changed
// by their values, passed as a parameter.
std::string modify_by_values(const std::string &table, const std::string &column, const std::string &predicate,
                             const std::string &modification) {
  std::string find =
      "SELECT pg_catalog.array_agg(DISTINCT " + as_text(column) + ") FROM " + table + " t WHERE " + predicate;
  std::string change = modification + " WHERE " + as_text(column) + kEq + "ANY ($1)";
  return "DO " + sql::dollar_quoted("\nDECLARE\n  lost pg_catalog.text[];\nBEGIN\n  EXECUTE " + sql::literal(find) +
                                    " INTO lost;\n  IF lost IS NOT NULL THEN\n    EXECUTE " + sql::literal(change) +
                                    " USING lost;\n  END IF;\nEND\n");
}

// Citus runs a transaction that changes a table with foreign keys to a
// reference table, or that creates a function after a parallel command, over
// one connection per node only when told so before the first command.
Statement citus_sequential() {
  return {"SET", "SET LOCAL citus.multi_shard_modify_mode = 'sequential'",
          "one connection per node in this transaction, which Citus needs for the steps below (until COMMIT).", "", ""};
}

const char *table_kind_name(citus_rules::Table k) {
  switch (k) {
    case citus_rules::Table::Distributed:
    case citus_rules::Table::SingleShard:
      return "distributed table";
    case citus_rules::Table::Reference:
      return "reference table";
    case citus_rules::Table::Local:
      return "local table";
    case citus_rules::Table::Plain:
      break;
  }
  return "table";
}

}  // namespace

namespace {

// The body of pg_temp.fk_guard_converts(). The functions that converting may
// run, in the order fk_guard.converts() checks them: the input and output
// functions of the value's base type and of the target, each followed into
// a domain's CHECK constraints (the functions and operators they call, from
// pg_depend) and base type, an array's element type, a composite's column
// types, a range's canonical function and subtype, a multirange's range
// (16 levels at most); then the casts the conversion's expression uses.
constexpr const char *kConvertsHelperBodyStart = R"fkg(
DECLARE
  source pg_catalog.oid;
  base pg_catalog.oid;
  why pg_catalog.text;
  lim pg_catalog.text;
  src pg_catalog.text;
  dst pg_catalog.text;
  val pg_catalog.text;
  converted pg_catalog.text;
  direct boolean := true;
BEGIN
  IF target IS NULL OR target_typmod IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'null_value_not_allowed',
      MESSAGE = pg_catalog.format('argument %s of fk_guard.converts() must not be null',
                                  CASE WHEN target IS NULL THEN 'target' ELSE 'target_typmod' END);
  END IF;
  IF value IS NULL THEN
    RETURN NULL;
  END IF;
  WITH RECURSIVE b(t, d) AS (
    SELECT pg_catalog.pg_typeof(value)::pg_catalog.oid, 0
    UNION ALL
    SELECT y.typbasetype, b.d + 1 FROM b JOIN pg_catalog.pg_type y ON y.oid = b.t WHERE y.typtype = 'd' AND b.d < 64)
  SELECT b.t INTO source FROM b ORDER BY b.d DESC LIMIT 1;
  WITH RECURSIVE b(t, d) AS (
    SELECT target::pg_catalog.oid, 0
    UNION ALL
    SELECT y.typbasetype, b.d + 1 FROM b JOIN pg_catalog.pg_type y ON y.oid = b.t WHERE y.typtype = 'd' AND b.d < 64)
  SELECT b.t INTO base FROM b ORDER BY b.d DESC LIMIT 1;
  IF source = target AND target_typmod < 0 THEN
    RETURN true;
  END IF;

)fkg";

// The casts the conversion's expression uses (text and the value's type to
// and from the target's base type), after the types' own functions.
constexpr const char *kConvertsCastCode = R"fkg(    UNION ALL
    SELECT ARRAY[3, x.n]::pg_catalog.int8[], c.castfunc::pg_catalog.oid,
           pg_catalog.format('the cast from %s to %s is user-defined',
                             pg_catalog.format_type(c.castsource, NULL), pg_catalog.format_type(c.casttarget, NULL))
      FROM (VALUES (1, 'pg_catalog.text'::pg_catalog.regtype::pg_catalog.oid, source), (2, source, base),
                   (3, source, 'pg_catalog.text'::pg_catalog.regtype::pg_catalog.oid),
                   (4, 'pg_catalog.text'::pg_catalog.regtype::pg_catalog.oid, base), (5, base, base),
                   (6, base, 'pg_catalog.text'::pg_catalog.regtype::pg_catalog.oid)) x(n, s, t)
      JOIN pg_catalog.pg_cast c ON c.castsource = x.s AND c.casttarget = x.t AND c.castmethod = 'f')fkg";

constexpr const char *kConvertsHelperBodyEnd = R"fkg(  IF why IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
      MESSAGE = pg_catalog.format('converting %s to %s would run code owned by another role',
                                  pg_catalog.format_type(source, -1), pg_catalog.format_type(target, target_typmod)),
      DETAIL = pg_catalog.format('Converting %s to %s is not tried: %s. pg_fk_guard runs only code built into '
                                 'PostgreSQL or owned by a superuser or by the calling role.',
                                 pg_catalog.format_type(source, -1), pg_catalog.format_type(target, target_typmod), why),
      HINT = 'Run it as the role that owns that code (SET ROLE), which then runs with its own privileges.';
  END IF;

  -- A modifier that limits a length is applied as assignment applies it,
  -- unless the cast takes the modifier itself (integer to bit(n)).
  IF target_typmod >= 0 AND NOT EXISTS (
       SELECT 1 FROM pg_catalog.pg_cast c JOIN pg_catalog.pg_proc p ON p.oid = c.castfunc
        WHERE c.castsource = source AND c.casttarget = base AND source <> base AND c.castmethod = 'f'
          AND p.pronargs > 1) THEN
    lim := CASE target::pg_catalog.oid WHEN 1043 THEN 'characters' WHEN 1042 THEN 'characters'
                                       WHEN 1560 THEN 'exact bits' WHEN 1562 THEN 'most bits' END;
  END IF;
  src := pg_catalog.format_type(source, -1);
  dst := pg_catalog.format_type(target, CASE WHEN lim IS NULL THEN target_typmod ELSE -1 END);
  val := pg_catalog.format('%s', value);
  BEGIN
    EXECUTE pg_catalog.format('SELECT (($1::pg_catalog.text)::%s)::%s::pg_catalog.text', src, dst) INTO converted USING val;
  EXCEPTION
    WHEN lock_not_available OR deadlock_detected OR serialization_failure OR admin_shutdown OR crash_shutdown
         OR insufficient_resources THEN
      RAISE;
    WHEN cannot_coerce THEN
      direct := false;
    WHEN OTHERS THEN
      RETURN false;
  END;
  IF NOT direct THEN
    BEGIN
      EXECUTE pg_catalog.format('SELECT (($1::pg_catalog.text)::%s)::pg_catalog.text::%s::pg_catalog.text', src, dst)
        INTO converted USING val;
    EXCEPTION
      WHEN lock_not_available OR deadlock_detected OR serialization_failure OR admin_shutdown OR crash_shutdown
           OR insufficient_resources THEN
        RAISE;
      WHEN OTHERS THEN
        RETURN false;
    END;
  END IF;
  converted := COALESCE(converted, '');
  RETURN CASE lim WHEN 'characters' THEN pg_catalog.length(pg_catalog.rtrim(converted, ' ')) <= target_typmod - 4
                  WHEN 'exact bits' THEN pg_catalog.length(converted) = target_typmod
                  WHEN 'most bits' THEN pg_catalog.length(converted) <= target_typmod
                  ELSE true END;
END
)fkg";

std::string converts_helper_body() {
  return std::string(kConvertsHelperBodyStart) + "  WITH RECURSIVE " +
         trust_sql::code_ctes("(source, 1), (target::pg_catalog.oid, 2)", kConvertsCastCode) +
         trust_sql::first_untrusted("why") + ";\n" + kConvertsHelperBodyEnd;
}

}  // namespace

std::string converts_helper_sql() {
  return std::string("CREATE OR REPLACE FUNCTION ") + kConvertsHelper +
         "(value anyelement, target pg_catalog.regtype, target_typmod integer) RETURNS boolean LANGUAGE plpgsql "
         "VOLATILE SET search_path = pg_catalog, pg_temp AS " +
         sql::dollar_quoted(converts_helper_body(), "fk_guard");
}

std::string lost_rows_predicate(const PlanInput &in) {
  const std::string &column = in.column.str();
  const std::string type_lit = sql::literal(in.target_type) + "::pg_catalog.regtype";
  const std::string converted = "CASE WHEN " + in.converts_function.str() + "(t." + column + ", " + type_lit + ", " +
                                std::to_string(in.target_typmod) + ") THEN " + in.conversion + " END";
  return "t." + column + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + in.referenced_table.str() + " r WHERE r." +
         in.referenced_column.str() + kEq + converted + ")";
}

std::string write_fix_plan(const PlanInput &in) {
  const std::string &table = in.table.str();
  const std::string &column = in.column.str();
  const std::string &ref = in.referenced_table.str();
  const std::string &refcol = in.referenced_column.str();
  const std::string col = table + "." + column;
  const std::string refname = ref + "." + refcol;
  const bool mapping = in.mode == OnUnconvertible::Map && in.mapping;
  // On Citus, a table distributed again is a PostgreSQL table for a while,
  // which Citus cannot join with a distributed table: the steps between
  // read a copy of the referenced keys (and of the mapping column).
  const bool copy_referenced = in.citus.redistribute && in.citus.referenced_distributed;
  const std::string read_ref = copy_referenced ? std::string("pg_temp.fk_guard_referenced") : ref;
  PlanInput reading = in;
  if (copy_referenced) reading.referenced_table = Ident::checked(read_ref);
  const std::string lost_rows = lost_rows_predicate(reading);
  const std::string lock_table = "ACCESS EXCLUSIVE on " + table;

  Script s;
  s.header("pg_fk_guard fix plan: " + col + " (" + in.source_type + ") -> " + refname + " (" + in.target_type + ")");
  if (in.counts) {
    const PlanCounts &c = *in.counts;
    s.header("Data when planned: " + rows(c.rows) + ", " + std::to_string(c.nulls) + " NULL, " +
             std::to_string(c.convertible) + " convert to " + in.target_type +
             (c.orphaned >= 0 ? " (" + std::to_string(c.orphaned) + " of them reference no key)"
                              : std::string(" (not compared with the keys)")) +
             ", " + std::to_string(c.unconvertible) + " cannot.");
  }
  if (in.mapping) {
    const PlanMapping &m = *in.mapping;
    s.header(ref + "." + m.column.str() + " holds " + std::to_string(m.covered) + " of the " + std::to_string(m.total) +
             " non-NULL values of " + col + ".");
    if (m.ambiguous > 0) {
      std::string samples;
      for (const std::string &v : m.ambiguous_samples) samples += (samples.empty() ? "" : ", ") + v;
      s.header(std::to_string(m.ambiguous) + (m.ambiguous == 1 ? " value matches" : " values match") +
               " several rows of " + ref + " (" + samples + "): the mapping is not unique.");
    }
  }
  for (const std::string &n : in.notes) s.header(n);
  if (in.kept_constraint)
    s.header("Kept: " + in.kept_constraint->str() +
             " already declares this foreign key; converting the column makes PostgreSQL rebuild it with its whole "
             "definition (actions, MATCH, deferrability) and check it again.");
  if (in.citus.redistribute)
    s.header(
        "Kept: the column is converted in place while the table is a PostgreSQL table; undistribute_table and "
        "create_distributed_table each re-create the table, keeping what Citus copies (columns in order, "
        "indexes, constraints, owner): check its comments, privileges and statistics afterwards. Run ANALYZE "
        "afterwards.");
  else
    s.header(
        "Kept: the column is converted in place, so its position, NOT NULL, comment and privileges stay, and "
        "PostgreSQL rebuilds its indexes, UNIQUE, CHECK and foreign-key constraints and extended statistics (one "
        "that does not fit the new type stops the plan). Run ANALYZE afterwards.");
  if (!in.lost_default.empty())
    s.header("Cannot keep: DEFAULT " + in.lost_default + " does not fit " + in.target_type +
             "; the plan drops it (set a new one afterwards if needed).");
  if (in.mode == OnUnconvertible::Delete)
    for (const CascadeEffect &c : in.cascades)
      s.header("Also changes " + rows(c.rows) + " of " + c.table + " through " + c.constraint + " (ON DELETE " +
               c.action + ").");
  const CitusPlan &citus = in.citus;
  const bool on_citus = citus.kind != citus_rules::Table::Plain;
  if (citus.redistribute) {
    std::string keys;
    for (const ReaddedKey &k : citus.keys)
      keys += (keys.empty() ? "" : ", ") + k.constraint.str() + " on " + k.table.str();
    s.header("On Citus: " + table + " is a Citus " + table_kind_name(citus.kind) + ", and " + citus.reason +
             ". So the plan turns it into a PostgreSQL table first (undistribute_table, which moves its rows to the "
             "coordinator), converts it there and makes it a Citus " +
             table_kind_name(citus.kind) + " again (" + citus_rules::distribute_again_sql(*citus.redistribute) +
             "), which rewrites it and moves its rows twice." +
             (keys.empty() ? std::string()
                           : " undistribute_table refuses while foreign keys involve the table: " + keys +
                                 (citus.keys.size() == 1 ? " is" : " are") +
                                 " dropped first and added again after with the whole definition."));
  } else if (on_citus && (in.mode == OnUnconvertible::Null || in.mode == OnUnconvertible::Delete)) {
    s.header("On Citus: Citus refuses an UPDATE or DELETE of its tables that calls a VOLATILE function such as " +
             in.converts_function.str() +
             "(), so a query finds the values that cannot be kept first, and the rows are then changed by "
             "their values.");
  }
  // Only the steps without a mapping call converts_function.
  const bool define_converts = in.define_converts && !mapping;
  if (define_converts)
    s.header("pg_fk_guard is not installed in this database: the script defines " + in.converts_function.str() +
             "(), which decides as fk_guard.converts() does whether a value converts, for this session only.");
  // The stand-in exists in this session only: Citus runs a statement that
  // reads its tables on the nodes that hold their shards, where it does not.
  // Only with the table a PostgreSQL table for a while and the referenced
  // keys copied do the steps that call it read no Citus table.
  if (define_converts && on_citus && !copy_referenced)
    s.header("On Citus without pg_fk_guard this script cannot run as written: Citus runs the steps that call " +
             in.converts_function.str() +
             "() on the nodes that hold the shards of the tables they read, and the function exists only in this "
             "session on the coordinator. Create the extension first (CREATE EXTENSION pg_fk_guard on the "
             "coordinator; Citus creates it on every node) and plan again: the plan then calls fk_guard.converts().");
  s.header("Run it in one transaction (BEGIN; ... COMMIT;): a step that fails then changes nothing.");

  s.add({"SET", "SET lock_timeout = '5s'", "", "", ""});
  if (on_citus) s.add(citus_sequential());

  if (citus.redistribute) {
    for (const ReaddedKey &k : citus.keys)
      s.add({"ALTER TABLE", "ALTER TABLE " + k.table.str() + " DROP CONSTRAINT " + k.constraint.str(),
             "drop foreign key " + k.constraint.str() + " on " + k.table.str() + " (added again below).",
             "ACCESS EXCLUSIVE on " + k.table.str(), ""});
    s.add({"SELECT", citus_rules::undistribute_sql(*citus.redistribute),
           "turn " + table + " into a PostgreSQL table, its rows moved to the coordinator.", lock_table, table});
    if (copy_referenced)
      s.add({"CREATE TABLE AS",
             "CREATE TABLE " + read_ref + " AS SELECT r." + refcol +
                 (in.mapping ? ", r." + in.mapping->column.str() : std::string()) + " FROM " + ref + " r",
             "a temporary copy of the keys of " + ref + ", for the steps below (Citus cannot join " + table +
                 " with it while " + table + " is a PostgreSQL table).",
             "ACCESS SHARE on " + ref, ""});
  }
  const bool by_values = on_citus && !citus.redistribute;

  const std::string hint_other = "Plan again with on_unconvertible => 'null', 'delete' or 'map'.";
  if (mapping) {
    const std::string &mc = in.mapping->column.str();
    std::string body =
        "  IF EXISTS (SELECT 1 FROM " + table + " t WHERE t." + column + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " +
        read_ref + " r WHERE r." + mc + kEq + "t." + column + ")) THEN\n" +
        raise("pg_fk_guard fix plan: some values of " + col + " have no match in " + ref + "." + mc,
              "Plan again with on_unconvertible => 'null' or 'delete' for them, or add the missing keys.") +
        "  END IF;\n"
        "  IF EXISTS (SELECT 1 FROM " +
        table + " t WHERE t." + column + " IS NOT NULL AND (SELECT pg_catalog.count(*) FROM " + read_ref +
        " r WHERE r." + mc + kEq + "t." + column + ") OPERATOR(pg_catalog.>) 1) THEN\n" +
        raise("pg_fk_guard fix plan: some values of " + col + " match several rows of " + ref + " through " + mc,
              "Map through a column whose values are unique.") +
        "  END IF;\n";
    s.add({"DO", do_block(body),
           "stop, before anything changes, unless every value of " + col + " matches exactly one row of " + ref +
               " through " + mc + ".",
           "ACCESS SHARE on " + table + " and " + ref, ""});
    std::string lookup = "SELECT r." + refcol + " FROM " + read_ref + " r WHERE r." + mc + kEq + "$1";
    if (on_citus) {
      // While an ALTER TABLE runs, Citus shows no rows of its tables to a
      // query: the function reads a copy of the mapping instead.
      s.add({"CREATE TABLE AS",
             "CREATE TABLE pg_temp.fk_guard_map_values AS SELECT r." + mc + " AS old, r." + refcol + " AS new FROM " +
                 read_ref + " r WHERE r." + mc + " IS NOT NULL",
             "a temporary copy of the mapping: while ALTER TABLE runs, Citus shows no rows of " + ref + ".",
             "ACCESS SHARE on " + ref, ""});
      lookup = "SELECT m.new FROM pg_temp.fk_guard_map_values m WHERE m.old" + std::string(kEq) + "$1";
    }
    s.add({"CREATE FUNCTION",
           "CREATE FUNCTION pg_temp.fk_guard_map(" + in.source_type + ") RETURNS " + in.target_type +
               " LANGUAGE sql STABLE STRICT AS " + sql::dollar_quoted(lookup),
           "a temporary function that maps a value to its key (ALTER COLUMN ... USING cannot hold a subquery).", "",
           ""});
  } else {
    long long lost = in.counts && in.counts->orphaned >= 0 ? in.counts->unconvertible + in.counts->orphaned : -1;
    std::string lost_text = lost >= 0 ? rows(lost) : std::string("not counted");
    if (define_converts)
      s.add({"CREATE FUNCTION", converts_helper_sql(),
             "a temporary function that decides, as fk_guard.converts() does, whether a value converts; it lasts "
             "until the session ends.",
             "", ""});
    switch (in.mode) {
      case OnUnconvertible::Null:
        if (by_values) {
          s.add({"DO", modify_by_values(table, column, lost_rows, "UPDATE " + table + " t SET " + column + " = NULL"),
                 "set " + col + " to NULL where it cannot become " + in.target_type + " or references no key (" +
                     lost_text + "), found by a query first.",
                 "ROW EXCLUSIVE on " + table, ""});
          break;
        }
        s.add({"UPDATE", "UPDATE " + table + " t SET " + column + " = NULL WHERE " + lost_rows,
               "set " + col + " to NULL where it cannot become " + in.target_type + " or references no key (" +
                   lost_text + ").",
               "ROW EXCLUSIVE on " + table, ""});
        break;
      case OnUnconvertible::Delete: {
        std::string locks = "ROW EXCLUSIVE on " + table;
        for (const CascadeEffect &c : in.cascades) locks += ", " + c.table;
        if (by_values) {
          s.add({"DO", modify_by_values(table, column, lost_rows, "DELETE FROM " + table + " t"),
                 "delete the rows of " + table + " whose " + column + " cannot become " + in.target_type +
                     " or references no key (" + lost_text + "), found by a query first" +
                     (in.cascades.empty() ? std::string(".") : std::string(", and what ON DELETE does to the others.")),
                 locks, ""});
          break;
        }
        s.add({"DELETE", "DELETE FROM " + table + " t WHERE " + lost_rows,
               "delete the rows of " + table + " whose " + column + " cannot become " + in.target_type +
                   " or references no key (" + lost_text + ")" +
                   (in.cascades.empty() ? std::string(".") : std::string(", and what ON DELETE does to the others.")),
               locks, ""});
        break;
      }
      case OnUnconvertible::Fail:
      case OnUnconvertible::Map:
        s.add({"DO",
               do_block("  IF EXISTS (SELECT 1 FROM " + table + " t WHERE " + lost_rows + ") THEN\n" +
                        raise("pg_fk_guard fix plan: some rows of " + table + " would be lost: " + column +
                                  " cannot become " + in.target_type + " or references no key in " + ref,
                              hint_other) +
                        "  END IF;\n"),
               "stop before changing anything if a row would be lost: " +
                   count_text(in.counts, &PlanCounts::unconvertible, "cannot convert") + ", " +
                   count_text(in.counts, &PlanCounts::orphaned, "reference no key") + ".",
               "ACCESS SHARE on " + table + " and " + ref, ""});
        break;
    }
  }
  if (define_converts)
    s.add({"DROP FUNCTION", "DROP FUNCTION " + in.converts_function.str() + "(anyelement, pg_catalog.regtype, integer)",
           "the temporary function is no longer needed.", "", ""});
  if (!in.lost_default.empty())
    s.add({"ALTER TABLE", "ALTER TABLE " + table + " ALTER COLUMN " + column + " DROP DEFAULT",
           "drop the DEFAULT that cannot become " + in.target_type + ".", lock_table, ""});
  if (in.conversion_needed || mapping) {
    std::string using_expr = mapping ? "pg_temp.fk_guard_map(" + column + ")" : in.using_expression;
    std::string rewrite = in.rewrites || mapping ? table : std::string();
    s.add(
        {"ALTER TABLE",
         "ALTER TABLE " + table + " ALTER COLUMN " + column + " TYPE " + in.target_type +
             (in.target_collation ? " COLLATE " + in.target_collation->str() : std::string()) + " USING " + using_expr,
         "convert " + col + " to " + in.target_type + (mapping ? " through the mapping" : "") + " (" +
             count_text(in.counts, &PlanCounts::rows, "in all") + "; indexes on it are rebuilt" +
             (in.kept_constraint ? ", " + in.kept_constraint->str() + " is rebuilt and checked" : std::string()) + ").",
         lock_table, rewrite});
  }
  if (in.kept_constraint && in.rename_kept_to)
    s.add(
        {"ALTER TABLE",
         "ALTER TABLE " + table + " RENAME CONSTRAINT " + in.kept_constraint->str() + " TO " + in.rename_kept_to->str(),
         "give the kept foreign key the name asked for.", lock_table, ""});
  if (mapping)
    s.add({"DROP FUNCTION", "DROP FUNCTION pg_temp.fk_guard_map(" + in.source_type + ")",
           "the temporary function is no longer needed.", "", ""});
  if (mapping && on_citus)
    s.add({"DROP TABLE", "DROP TABLE pg_temp.fk_guard_map_values", "nor the copy of the mapping.", "", ""});
  if (copy_referenced)
    s.add({"DROP TABLE", "DROP TABLE " + read_ref, "the copy of the keys is no longer needed.", "", ""});
  if (citus.redistribute) {
    s.add({"SELECT", citus_rules::distribute_again_sql(*citus.redistribute),
           "make " + table + " a Citus " + table_kind_name(citus.kind) + " again, its rows moved back to the nodes.",
           lock_table, table});
    for (const ReaddedKey &k : citus.keys)
      s.add({"ALTER TABLE", "ALTER TABLE " + k.table.str() + " ADD CONSTRAINT " + k.add_as.str() + " " + k.definition,
             "add " + k.add_as.str() + " again with its whole definition (this checks every row).",
             "SHARE ROW EXCLUSIVE on " + k.table.str(), ""});
  }
  if (!in.kept_constraint && in.constraint) {
    const std::string &con = in.constraint->str();
    if (in.partitioned) {
      s.add({"ALTER TABLE",
             "ALTER TABLE " + table + " ADD CONSTRAINT " + con + " FOREIGN KEY (" + column + ") REFERENCES " + ref +
                 " (" + refcol + ")",
             "add the foreign key; on a partitioned table it cannot be added NOT VALID, so this checks every row.",
             "SHARE ROW EXCLUSIVE on " + table + " (and its partitions) and " + ref, ""});
    } else {
      s.add({"ALTER TABLE",
             "ALTER TABLE " + table + " ADD CONSTRAINT " + con + " FOREIGN KEY (" + column + ") REFERENCES " + ref +
                 " (" + refcol + ") NOT VALID",
             "add the foreign key without scanning " + table + " under a heavy lock.",
             "SHARE ROW EXCLUSIVE on " + table + " and " + ref, ""});
      s.add({"ALTER TABLE", "ALTER TABLE " + table + " VALIDATE CONSTRAINT " + con, "then validate it.",
             "SHARE UPDATE EXCLUSIVE on " + table + ", ROW SHARE on " + ref, ""});
    }
  }
  s.add({"RESET", "RESET lock_timeout", "", "", ""});
  return s.render();
}

std::string write_rebuild_steps(const RebuildSteps &s) {
  std::string out = "BEGIN; ";
  for (const RebuildSteps::Key &k : s.keys)
    out += "ALTER TABLE " + Ident::checked(k.table).str() + " DROP CONSTRAINT " + Ident::checked(k.constraint).str() +
           "; ";
  std::string stmt = s.statement;
  while (!stmt.empty() && (stmt.back() == ';' || std::isspace((unsigned char)stmt.back()))) stmt.pop_back();
  out += stmt + "; ";
  for (const RebuildSteps::Column &c : s.columns) {
    if (c.conversion == Conversion::None) return "";
    out += alter_column_type_sql(c.table, c.column, c.type, "", c.conversion) + "; ";
  }
  for (const RebuildSteps::Key &k : s.keys) {
    std::string t = Ident::checked(k.table).str(), n = Ident::checked(k.constraint).str();
    out += "ALTER TABLE " + t + " ADD CONSTRAINT " + n + " " + k.definition + (k.large ? " NOT VALID; " : "; ");
    if (k.large) out += "ALTER TABLE " + t + " VALIDATE CONSTRAINT " + n + "; ";
  }
  return out + "COMMIT;";
}

namespace {

std::string column_list(const std::vector<std::string> &columns) {
  if (columns.empty()) throw std::invalid_argument("a foreign key needs columns");
  std::string out = "(";
  for (size_t i = 0; i < columns.size(); i++) out += (i ? ", " : "") + Ident::checked(columns[i]).str();
  return out + ")";
}

const std::string &checked_action(const std::string &action) {
  static const char *const kActions[] = {"", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT"};
  for (const char *a : kActions)
    if (action == a) return action;
  throw std::invalid_argument("not a referential action: " + sql::comment_safe(action));
}

}  // namespace

std::string add_foreign_key_sql(const ForeignKeySql &k, bool not_valid) {
  if (k.columns.size() != k.referenced_columns.size())
    throw std::invalid_argument("a foreign key needs as many referenced columns as referencing ones");
  std::string out = "ALTER TABLE " + Ident::checked(k.table).str() + " ADD CONSTRAINT " +
                    Ident::checked(k.constraint).str() + " FOREIGN KEY " + column_list(k.columns) + " REFERENCES " +
                    Ident::checked(k.referenced_table).str() + " " + column_list(k.referenced_columns);
  if (k.match_full) out += " MATCH FULL";
  if (!checked_action(k.on_update).empty()) out += " ON UPDATE " + k.on_update;
  if (!checked_action(k.on_delete).empty()) {
    out += " ON DELETE " + k.on_delete;
    if (!k.on_delete_columns.empty()) {
      if (k.on_delete != "SET NULL" && k.on_delete != "SET DEFAULT")
        throw std::invalid_argument("only SET NULL and SET DEFAULT take columns");
      out += " " + column_list(k.on_delete_columns);
    }
  }
  if (k.deferrable) out += k.initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE";
  if (not_valid) out += " NOT VALID";
  return out;
}

std::string validate_constraint_sql(const std::string &table, const std::string &constraint) {
  return "ALTER TABLE " + Ident::checked(table).str() + " VALIDATE CONSTRAINT " + Ident::checked(constraint).str();
}

std::string drop_constraint_sql(const std::string &table, const std::string &constraint) {
  return "ALTER TABLE " + Ident::checked(table).str() + " DROP CONSTRAINT " + Ident::checked(constraint).str();
}

}  // namespace fkg
