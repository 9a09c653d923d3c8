// Unit tests for the fix writer: exact SQL text for known pairs.
#include <gtest/gtest.h>

#include "fix_writer.hpp"
#include "pg_parse.hpp"
#include "sql_writer.hpp"

namespace fkg {
namespace {

FixTarget sessions_to(const std::string &type, Conversion conv = Conversion::Assignment) {
  FixTarget t;
  t.referencing_table = "public.sessions";
  t.referencing_column = "\"userId\"";
  t.referenced_table = "public.users";
  t.referenced_column = "id";
  t.target_type = type;
  t.constraint_name = "\"sessions_userId_fkey\"";
  t.conversion = conv;
  return t;
}

Verdict verdict_of(Kind k) {
  Verdict v;
  v.kind = k;
  v.problems.push_back({k, "Why."});
  return v;
}

TEST(FixWriter, WidensWithPlainAlterType) {
  EXPECT_EQ(write_type_fix(sessions_to("bigint"), verdict_of(Kind::Narrower)),
            "-- Statements: SET, ALTER TABLE, RESET\n"
            "SET lock_timeout = '5s';\n"
            "-- Convert public.sessions.\"userId\" to bigint (rewrites public.sessions; PostgreSQL rebuilds "
            "\"sessions_userId_fkey\" with its whole definition and re-checks it).\n"
            "ALTER TABLE public.sessions ALTER COLUMN \"userId\" TYPE bigint;\n"
            "RESET lock_timeout;\n");
}

TEST(FixWriter, UsesUsingWhenOnlyAnExplicitCastExists) {
  std::string fix = write_type_fix(sessions_to("integer", Conversion::Explicit), verdict_of(Kind::Width));
  EXPECT_NE(fix.find("TYPE integer USING \"userId\"::integer;"), std::string::npos) << fix;
}

// A USING cast to a type whose modifier limits a length goes to the
// unconstrained type: PostgreSQL then applies the length by assignment and
// refuses a longer value ("value too long") instead of cutting it, as
// "::character varying(3)" would (12345 would become '123', another key).
TEST(FixWriter, UsingCastTypeDropsOnlyALengthLimit) {
  EXPECT_EQ(using_cast_type("character varying(3)"), "character varying");
  EXPECT_EQ(using_cast_type("character(3)"), "bpchar");  // "character" alone is character(1)
  EXPECT_EQ(using_cast_type("bit(8)"), "\"bit\"");       // bit alone is bit(1)
  EXPECT_EQ(using_cast_type("bit varying(16)"), "bit varying");
  for (const char *kept :
       {"integer", "bigint", "character varying", "bpchar", "text", "numeric(10,2)", "timestamp(0) without time zone",
        "character varying(3)[]", "character varying()", "character varying(x)", "\"character varying(3)\"",
        "public.\"character(3)\"", "time(3) with time zone", "interval(3)"})
    EXPECT_EQ(using_cast_type(kept), kept);
}

TEST(FixWriter, UsingNeverTruncatesToALengthLimitedType) {
  struct Case {
    const char *type, *collation;
    Conversion conversion;
    const char *tail;  // after "ALTER TABLE t ALTER COLUMN c TYPE "
  };
  const Case cases[] = {
      {"character varying(3)", "", Conversion::Explicit, "character varying(3) USING c::character varying"},
      {"character(2)", "", Conversion::Explicit, "character(2) USING c::bpchar"},
      {"bit(3)", "", Conversion::Explicit, "bit(3) USING c::\"bit\""},
      {"bit varying(3)", "\"C\"", Conversion::Explicit, "bit varying(3) COLLATE \"C\" USING c::bit varying"},
      // A cast that takes the modifier itself (integer to bit(n)) keeps it.
      {"bit(3)", "", Conversion::ExplicitTypmod, "bit(3) USING c::bit(3)"},
      // Without USING, PostgreSQL already applies the length by assignment.
      {"character varying(3)", "", Conversion::Assignment, "character varying(3)"},
      // Other types as before.
      {"numeric(10,2)", "", Conversion::Explicit, "numeric(10,2) USING c::numeric(10,2)"},
  };
  for (const Case &c : cases)
    EXPECT_EQ(alter_column_type_sql("t", "c", c.type, c.collation, c.conversion),
              std::string("ALTER TABLE t ALTER COLUMN c TYPE ") + c.tail);
  std::string fix = write_type_fix(sessions_to("character varying(36)", Conversion::Explicit), verdict_of(Kind::Width));
  EXPECT_NE(fix.find("TYPE character varying(36) USING \"userId\"::character varying;"), std::string::npos) << fix;
  RebuildSteps s;
  s.statement = "ALTER TABLE codes ALTER COLUMN code TYPE character(3)";
  s.columns.push_back({"items", "code", "character(3)", Conversion::Explicit});
  EXPECT_EQ(write_rebuild_steps(s),
            "BEGIN; ALTER TABLE codes ALTER COLUMN code TYPE character(3); ALTER TABLE items ALTER COLUMN code TYPE "
            "character(3) USING code::bpchar; COMMIT;");
}

TEST(FixWriter, AddsCollation) {
  FixTarget t = sessions_to("text");
  t.target_collation = "\"C\"";
  EXPECT_NE(write_type_fix(t, verdict_of(Kind::Collation)).find("TYPE text COLLATE \"C\";"), std::string::npos);
}

TEST(FixWriter, WarnsAboutTimeZoneBeforeConverting) {
  std::string fix = write_type_fix(sessions_to("timestamp with time zone"), verdict_of(Kind::TimezoneDependent));
  EXPECT_LT(fix.find("session TimeZone"), fix.find("ALTER TABLE"));
}

TEST(FixWriter, NeverProposesACastThatDoesNotExist) {
  std::string fix = write_type_fix(sessions_to("integer", Conversion::None), verdict_of(Kind::Incompatible));
  EXPECT_EQ(fix.find("USING"), std::string::npos) << fix;
  EXPECT_EQ(fix.find("ALTER TABLE"), std::string::npos) << fix;
  EXPECT_NE(fix.find("No cast turns"), std::string::npos) << fix;
}

}  // namespace
}  // namespace fkg

namespace fkg {
namespace {

PlanInput story_plan(OnUnconvertible mode) {
  PlanInput in;
  in.table = sql::Ident::checked("public.sessions");
  in.column = sql::Ident::checked("\"userId\"");
  in.source_type = "uuid";
  in.referenced_table = sql::Ident::checked("public.users");
  in.referenced_column = sql::Ident::checked("id");
  in.target_type = "integer";
  in.conversion = "t.\"userId\"::text::integer";
  in.using_expression = "\"userId\"::text::integer";
  in.constraint = sql::Ident::checked("\"sessions_userId_fkey\"");
  in.converts_function = sql::Ident::checked("fk_guard.converts");
  in.mode = mode;
  return in;
}

size_t at(const std::string &s, const std::string &what) {
  size_t p = s.find(what);
  EXPECT_NE(p, std::string::npos) << "missing: " << what << "\nin:\n" << s;
  return p;
}

TEST(FixPlan, SafeOrder) {
  PlanCounts counts{9, 3, 0, 6, 0};
  PlanInput in = story_plan(OnUnconvertible::Fail);
  in.counts = &counts;
  std::string s = write_fix_plan(in);
  size_t lock = at(s, "SET lock_timeout");
  size_t stop = at(s, "RAISE EXCEPTION");
  size_t convert = at(s, "ALTER COLUMN \"userId\" TYPE integer USING \"userId\"::text::integer");
  size_t add = at(s, "FOREIGN KEY (\"userId\") REFERENCES public.users (id) NOT VALID");
  size_t validate = at(s, "VALIDATE CONSTRAINT \"sessions_userId_fkey\"");
  EXPECT_LT(lock, stop);
  EXPECT_LT(stop, convert);
  EXPECT_LT(convert, add);
  EXPECT_LT(add, validate);
  at(s, "6 rows cannot convert");
  at(s, "-- Statements: SET, DO, ALTER TABLE, ALTER TABLE, ALTER TABLE, RESET\n");
  at(s, "lock ACCESS EXCLUSIVE on public.sessions; rewrites public.sessions");
}

TEST(FixPlan, KeepsADeclaredKeyInsteadOfReAddingIt) {
  PlanInput in = story_plan(OnUnconvertible::Fail);
  in.kept_constraint = sql::Ident::checked("old_fkey");
  std::string s = write_fix_plan(in);
  EXPECT_EQ(s.find("DROP CONSTRAINT"), std::string::npos) << s;
  EXPECT_EQ(s.find("ADD CONSTRAINT"), std::string::npos) << s;
  at(s, "Kept: old_fkey already declares this foreign key");
}

TEST(FixPlan, PartitionedTableGetsItsKeyInOneStep) {
  // PostgreSQL before 18 refuses NOT VALID on a partitioned table.
  PlanInput in = story_plan(OnUnconvertible::Fail);
  in.partitioned = true;
  std::string s = write_fix_plan(in);
  at(s, "ADD CONSTRAINT \"sessions_userId_fkey\" FOREIGN KEY (\"userId\") REFERENCES public.users (id);");
  EXPECT_EQ(s.find("(id) NOT VALID"), std::string::npos) << s;
  EXPECT_EQ(s.find("VALIDATE CONSTRAINT"), std::string::npos) << s;
}

TEST(FixPlan, NullAndDeleteTouchOnlyRowsThatWouldBreak) {
  std::string n = write_fix_plan(story_plan(OnUnconvertible::Null));
  at(n, "UPDATE public.sessions t SET \"userId\" = NULL WHERE t.\"userId\" IS NOT NULL AND NOT EXISTS");
  at(n,
     "CASE WHEN fk_guard.converts(t.\"userId\", 'integer'::pg_catalog.regtype, -1) THEN "
     "t.\"userId\"::text::integer END");
  at(n, "r.id OPERATOR(pg_catalog.=) CASE");
  PlanInput d_in = story_plan(OnUnconvertible::Delete);
  d_in.cascades.push_back({"public.visits", "visits_fkey", "CASCADE", 4});
  std::string d = write_fix_plan(d_in);
  at(d, "DELETE FROM public.sessions t WHERE t.\"userId\" IS NOT NULL AND NOT EXISTS");
  at(d, "Also changes 4 rows of public.visits through visits_fkey (ON DELETE CASCADE).");
  EXPECT_EQ(d.find("RAISE EXCEPTION"), std::string::npos);
}

TEST(FixPlan, WithoutTheExtensionTheScriptDefinesItsOwnConverts) {
  for (OnUnconvertible mode : {OnUnconvertible::Fail, OnUnconvertible::Null, OnUnconvertible::Delete}) {
    PlanInput in = story_plan(mode);
    in.converts_function = sql::Ident::checked(kConvertsHelper);
    in.define_converts = true;
    std::string s = write_fix_plan(in);
    at(s, "-- pg_fk_guard is not installed in this database: the script defines pg_temp.fk_guard_converts()");
    size_t create = at(s, converts_helper_sql() + ";\n");
    size_t use = at(s, "CASE WHEN pg_temp.fk_guard_converts(t.\"userId\", 'integer'::pg_catalog.regtype, -1) THEN");
    size_t drop = at(s, "DROP FUNCTION pg_temp.fk_guard_converts(anyelement, pg_catalog.regtype, integer);\n");
    size_t convert = at(s, "ALTER COLUMN \"userId\" TYPE integer");
    EXPECT_LT(create, use);
    EXPECT_LT(use, drop);
    EXPECT_LT(drop, convert);
    EXPECT_EQ(s.find("fk_guard.converts(t."), std::string::npos) << s;
  }
  // A mapping calls no converts(): nothing to define.
  PlanMapping m;
  m.column = sql::Ident::checked("legacy_uuid");
  m.covered = m.total = 6;
  PlanInput in = story_plan(OnUnconvertible::Map);
  in.mapping = &m;
  in.converts_function = sql::Ident::checked(kConvertsHelper);
  in.define_converts = true;
  EXPECT_EQ(write_fix_plan(in).find("fk_guard_converts"), std::string::npos);
  // The stand-in is fixed text: search_path pinned, the value only a parameter.
  std::string h = converts_helper_sql();
  at(h, "SET search_path = pg_catalog, pg_temp AS $fk_guard$");
  at(h, "INTO converted USING val;");
  EXPECT_EQ(h.find("|| value"), std::string::npos);
}

TEST(FixPlan, MapConvertsInPlaceThroughATemporaryFunction) {
  PlanMapping m;
  m.column = sql::Ident::checked("legacy_uuid");
  m.covered = m.total = 6;
  PlanInput in = story_plan(OnUnconvertible::Map);
  in.mapping = &m;
  in.lost_default = "gen_random_uuid()";
  std::string s = write_fix_plan(in);
  size_t stop = at(s, "have no match");
  size_t unique = at(s, "match several rows");
  size_t fn = at(s, "CREATE FUNCTION pg_temp.fk_guard_map(uuid) RETURNS integer");
  size_t drop_default = at(s, "ALTER COLUMN \"userId\" DROP DEFAULT");
  size_t convert = at(s, "ALTER COLUMN \"userId\" TYPE integer USING pg_temp.fk_guard_map(\"userId\")");
  size_t drop_fn = at(s, "DROP FUNCTION pg_temp.fk_guard_map(uuid)");
  EXPECT_LT(stop, unique);
  EXPECT_LT(unique, fn);
  EXPECT_LT(fn, drop_default);
  EXPECT_LT(drop_default, convert);
  EXPECT_LT(convert, drop_fn);
  at(s, "Cannot keep: DEFAULT gen_random_uuid() does not fit integer");
  EXPECT_EQ(s.find("DROP COLUMN"), std::string::npos);
  EXPECT_EQ(s.find("RENAME COLUMN"), std::string::npos);
}

// bigint onto character varying(3), as fix_plan.cpp builds it: the
// conversion converts to the unconstrained type; the rows-lost check casts
// with the length only where converts() accepts the value (nothing but
// trailing spaces to cut there).
TEST(FixPlan, LengthLimitedTargetIsConvertedWithoutTruncation) {
  PlanInput in = story_plan(OnUnconvertible::Null);
  in.column = sql::Ident::checked("country_id");
  in.source_type = "bigint";
  in.target_type = "character varying(3)";
  in.target_typmod = 7;
  in.conversion = "t.country_id::character varying(3)";
  in.using_expression = "country_id::character varying";
  std::string plan = write_fix_plan(in);
  at(plan,
     "UPDATE public.sessions t SET country_id = NULL WHERE t.country_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
     "public.users r WHERE r.id OPERATOR(pg_catalog.=) CASE WHEN fk_guard.converts(t.country_id, 'character "
     "varying(3)'::pg_catalog.regtype, 7) THEN t.country_id::character varying(3) END);\n");
  at(plan,
     "ALTER TABLE public.sessions ALTER COLUMN country_id TYPE character varying(3) USING country_id::character "
     "varying;\n");
  EXPECT_EQ(plan.find("USING country_id::character varying(3)"), std::string::npos) << plan;
}

TEST(FixPlan, NoConversionWhenTypesAlreadyMatch) {
  PlanInput in = story_plan(OnUnconvertible::Fail);
  in.conversion = "t.\"userId\"";
  in.using_expression = "\"userId\"";
  in.conversion_needed = false;
  EXPECT_EQ(write_fix_plan(in).find("TYPE integer"), std::string::npos);
}

TEST(FixPlan, HostileNamesNeverLeaveTheirQuotes) {
  PlanInput in = story_plan(OnUnconvertible::Fail);
  in.table = sql::Ident::qualified("s'; --", "t$fk_guard$\nDROP ROLE x; --");
  in.column = sql::Ident::quote("c%s\\'\r\u2028");
  std::string s = write_fix_plan(in);
  // Every line that starts outside a quoted name is ours: a comment, or SQL we wrote.
  EXPECT_EQ(s.find("\nDROP ROLE"), s.find("\nDROP ROLE x; --\"")) << s;
  EXPECT_NE(s.find("DO $fk_guard_1$"), std::string::npos) << s;
  EXPECT_NE(s.find("MESSAGE = E'"), std::string::npos) << s;  // the backslash forces E'' quoting
}

// On Citus: no UPDATE or DELETE calls the VOLATILE converts() (Citus refuses
// it, 0A000): a query finds the values, the rows change by their values.
TEST(FixPlan, CitusTablesAreChangedByValuesFoundFirst) {
  for (OnUnconvertible mode : {OnUnconvertible::Null, OnUnconvertible::Delete}) {
    PlanInput in = story_plan(mode);
    in.citus.kind = citus_rules::Table::Distributed;
    std::string s = write_fix_plan(in);
    EXPECT_EQ(testing::check_script(s), "") << s;
    at(s, "SET LOCAL citus.multi_shard_modify_mode = 'sequential'");
    at(s,
       "EXECUTE 'SELECT pg_catalog.array_agg(DISTINCT (t.\"userId\"::pg_catalog.text COLLATE pg_catalog.\"C\")) "
       "FROM public.sessions t WHERE t.\"userId\" IS NOT NULL AND NOT EXISTS");
    at(s,
       "WHERE (t.\"userId\"::pg_catalog.text COLLATE pg_catalog.\"C\") OPERATOR(pg_catalog.=) ANY ($1)' USING lost;");
    at(s, "-- On Citus: Citus refuses an UPDATE or DELETE of its tables that calls a VOLATILE function");
    // No statement of the plan, nor the one EXECUTE runs, both modifies and calls converts().
    size_t pos = 0;
    while ((pos = s.find(mode == OnUnconvertible::Null ? "UPDATE public" : "DELETE FROM public", pos)) !=
           std::string::npos) {
      size_t end = s.find('\n', pos);
      EXPECT_EQ(s.substr(pos, end - pos).find("converts"), std::string::npos) << s;
      pos = end;
    }
    EXPECT_EQ(s.find("undistribute_table"), std::string::npos) << s;
  }
}

// On Citus: a distribution column changes type on a PostgreSQL table, between
// undistribute_table and create_distributed_table, its keys dropped before and
// added again after; the referenced keys are read from a copy meanwhile.
TEST(FixPlan, CitusDistributionColumnIsConvertedBetweenUndistributeAndDistribute) {
  PlanInput in = story_plan(OnUnconvertible::Null);
  in.citus.kind = citus_rules::Table::Distributed;
  citus_rules::Redistribution r;
  r.kind = citus_rules::Table::Distributed;
  r.table = "public.sessions";
  r.column = "userId";
  r.colocate_with = "public.users";
  in.citus.redistribute = r;
  in.citus.reason = "Citus cannot change the type of its distribution column \"userId\"";
  in.citus.referenced_distributed = true;
  in.citus.keys.push_back({sql::Ident::checked("public.sessions"), sql::Ident::checked("sessions_plan_fkey"),
                           sql::Ident::checked("sessions_plan_fkey"),
                           "FOREIGN KEY (plan_id) REFERENCES public.plans(id)"});
  std::string s = write_fix_plan(in);
  EXPECT_EQ(testing::check_script(s), "") << s;
  size_t drop = at(s, "ALTER TABLE public.sessions DROP CONSTRAINT sessions_plan_fkey;");
  size_t undistribute = at(s, "SELECT undistribute_table('public.sessions');");
  size_t copy = at(s, "CREATE TABLE pg_temp.fk_guard_referenced AS SELECT r.id FROM public.users r;");
  size_t update = at(s,
                     "UPDATE public.sessions t SET \"userId\" = NULL WHERE t.\"userId\" IS NOT NULL AND NOT EXISTS "
                     "(SELECT 1 FROM pg_temp.fk_guard_referenced r");
  size_t convert = at(s, "ALTER TABLE public.sessions ALTER COLUMN \"userId\" TYPE integer");
  size_t distribute =
      at(s, "SELECT create_distributed_table('public.sessions', 'userId', colocate_with => 'public.users');");
  size_t readd = at(s,
                    "ALTER TABLE public.sessions ADD CONSTRAINT sessions_plan_fkey FOREIGN KEY (plan_id) REFERENCES "
                    "public.plans(id);");
  size_t add = at(s, "FOREIGN KEY (\"userId\") REFERENCES public.users (id) NOT VALID");
  EXPECT_LT(drop, undistribute);
  EXPECT_LT(undistribute, copy);
  EXPECT_LT(copy, update);
  EXPECT_LT(update, convert);
  EXPECT_LT(convert, distribute);
  EXPECT_LT(distribute, readd);
  EXPECT_LT(readd, add);
  at(s,
     "-- On Citus: public.sessions is a Citus distributed table, and Citus cannot change the type of its "
     "distribution column");
}

// On Citus, a mapping reads a temporary copy of the mapping column: while
// ALTER TABLE runs, Citus shows no rows of its tables to the map function.
TEST(FixPlan, CitusMappingReadsACopy) {
  PlanMapping m;
  m.column = sql::Ident::checked("legacy_uuid");
  m.covered = m.total = 6;
  PlanInput in = story_plan(OnUnconvertible::Map);
  in.mapping = &m;
  in.citus.kind = citus_rules::Table::Distributed;
  citus_rules::Redistribution r;
  r.kind = citus_rules::Table::Distributed;
  r.table = "public.sessions";
  r.column = "id";
  r.colocate_with = "default";
  in.citus.redistribute = r;
  in.citus.reason = "Citus runs ALTER COLUMN ... TYPE on every node";
  std::string s = write_fix_plan(in);
  EXPECT_EQ(testing::check_script(s), "") << s;
  size_t copy = at(s,
                   "CREATE TABLE pg_temp.fk_guard_map_values AS SELECT r.legacy_uuid AS old, r.id AS new FROM "
                   "public.users r WHERE r.legacy_uuid IS NOT NULL;");
  size_t fn = at(s, "SELECT m.new FROM pg_temp.fk_guard_map_values m WHERE m.old OPERATOR(pg_catalog.=) $1");
  size_t convert = at(s, "USING pg_temp.fk_guard_map(\"userId\")");
  size_t drop = at(s, "DROP TABLE pg_temp.fk_guard_map_values;");
  size_t distribute = at(s, "SELECT create_distributed_table('public.sessions', 'id', colocate_with => 'default');");
  EXPECT_LT(at(s, "SELECT undistribute_table('public.sessions');"), copy);
  EXPECT_LT(copy, fn);
  EXPECT_LT(fn, convert);
  EXPECT_LT(convert, drop);
  EXPECT_LT(drop, distribute);
}

// A distribution column's suggested fix points at fix_plan() instead of an
// ALTER COLUMN ... TYPE that Citus refuses.
TEST(FixWriter, CitusDistributionColumnGetsNoAlterType) {
  FixTarget t = sessions_to("bigint");
  t.distribution_column = true;
  std::string s = write_type_fix(t, verdict_of(Kind::Narrower));
  EXPECT_EQ(s.find("ALTER TABLE"), std::string::npos) << s;
  at(s, "fk_guard.fix_plan()");
}

TEST(FixPlan, ParsesOptions) {
  OnUnconvertible m;
  EXPECT_TRUE(parse_on_unconvertible("map", &m));
  EXPECT_EQ(m, OnUnconvertible::Map);
  EXPECT_FALSE(parse_on_unconvertible("sometimes", &m));
}

// A type change across tables: drop, convert, add again, in that order.
TEST(RebuildSteps, DropsConvertsAndAddsBackInOrder) {
  RebuildSteps s;
  s.statement = "ALTER TABLE \"User\" ALTER COLUMN id TYPE uuid USING id::uuid;\n";
  s.keys.push_back({"\"Post\"", "\"Post_authorId_fkey\"",
                    "FOREIGN KEY (\"authorId\") REFERENCES \"User\"(id) ON UPDATE CASCADE ON DELETE RESTRICT", false});
  s.keys.push_back({"big", "big_u_fkey", "FOREIGN KEY (u) REFERENCES \"User\"(id) DEFERRABLE", true});
  s.columns.push_back({"\"Post\"", "\"authorId\"", "uuid", Conversion::Explicit});
  s.columns.push_back({"big", "u", "uuid", Conversion::Explicit});
  EXPECT_EQ(write_rebuild_steps(s),
            "BEGIN; ALTER TABLE \"Post\" DROP CONSTRAINT \"Post_authorId_fkey\"; ALTER TABLE big DROP CONSTRAINT "
            "big_u_fkey; ALTER TABLE \"User\" ALTER COLUMN id TYPE uuid USING id::uuid; ALTER TABLE \"Post\" ALTER "
            "COLUMN \"authorId\" TYPE uuid USING \"authorId\"::uuid; ALTER TABLE big ALTER COLUMN u TYPE uuid USING "
            "u::uuid; ALTER TABLE \"Post\" ADD CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\") "
            "REFERENCES \"User\"(id) ON UPDATE CASCADE ON DELETE RESTRICT; ALTER TABLE big ADD CONSTRAINT big_u_fkey "
            "FOREIGN KEY (u) REFERENCES \"User\"(id) DEFERRABLE NOT VALID; ALTER TABLE big VALIDATE CONSTRAINT "
            "big_u_fkey; COMMIT;");
}

TEST(RebuildSteps, NoScriptWhenAColumnHasNoCast) {
  RebuildSteps s;
  s.statement = "ALTER TABLE members ALTER COLUMN id TYPE uuid USING NULL";
  s.keys.push_back({"posts", "posts_member_id_fkey", "FOREIGN KEY (member_id) REFERENCES members(id)", false});
  s.columns.push_back({"posts", "member_id", "uuid", Conversion::None});
  EXPECT_EQ(write_rebuild_steps(s), "");
}

TEST(RebuildSteps, HostileNamesAreRefused) {
  RebuildSteps s;
  s.statement = "ALTER TABLE t ALTER COLUMN id TYPE bigint";
  s.keys.push_back({"t; DROP TABLE x", "c", "FOREIGN KEY (a) REFERENCES t(id)", false});
  EXPECT_THROW(write_rebuild_steps(s), std::invalid_argument);
}

// The guard's hints: a foreign key written out again, NOT VALID, and the
// statements around it, each a single statement PostgreSQL's parser reads.
ForeignKeySql key(const std::string &table, const std::string &constraint, const std::string &column,
                  const std::string &referenced_table, const std::string &referenced_column) {
  ForeignKeySql k;
  k.table = table;
  k.constraint = constraint;
  k.columns = {column};
  k.referenced_table = referenced_table;
  k.referenced_columns = {referenced_column};
  return k;
}

TEST(FixWriter, ForeignKeyStatements) {
  ForeignKeySql k = key("public.sessions", "\"sessions_userId_fkey\"", "\"userId\"", "users", "id");
  EXPECT_EQ(add_foreign_key_sql(k, true),
            "ALTER TABLE public.sessions ADD CONSTRAINT \"sessions_userId_fkey\" FOREIGN KEY (\"userId\") "
            "REFERENCES users (id) NOT VALID");
  k.match_full = true;
  k.on_update = "CASCADE";
  k.on_delete = "SET NULL";
  k.on_delete_columns = {"\"userId\""};
  k.deferrable = true;
  k.initially_deferred = true;
  std::string full = add_foreign_key_sql(k, false);
  EXPECT_EQ(full,
            "ALTER TABLE public.sessions ADD CONSTRAINT \"sessions_userId_fkey\" FOREIGN KEY (\"userId\") "
            "REFERENCES users (id) MATCH FULL ON UPDATE CASCADE ON DELETE SET NULL (\"userId\") DEFERRABLE "
            "INITIALLY DEFERRED");
  EXPECT_EQ(validate_constraint_sql("public.sessions", "\"sessions_userId_fkey\""),
            "ALTER TABLE public.sessions VALIDATE CONSTRAINT \"sessions_userId_fkey\"");
  EXPECT_EQ(drop_constraint_sql("public.sessions", "\"sessions_userId_fkey\""),
            "ALTER TABLE public.sessions DROP CONSTRAINT \"sessions_userId_fkey\"");
  for (const std::string &sql :
       {full, add_foreign_key_sql(k, true), validate_constraint_sql("t", "c"), drop_constraint_sql("t", "c")}) {
    fkg::testing::Parsed parsed = fkg::testing::parse(sql);
    ASSERT_TRUE(parsed.ok) << sql << ": " << parsed.error;
    ASSERT_EQ(parsed.statements.size(), 1u) << sql;
    EXPECT_EQ(parsed.statements[0].tag, "ALTER TABLE") << sql;
  }
}

TEST(FixWriter, ForeignKeyStatementsRefuseWhatIsNotSql) {
  ForeignKeySql k = key("t", "c", "a", "r", "id");
  ForeignKeySql bad = k;
  bad.table = "t; DROP TABLE x";
  EXPECT_THROW(add_foreign_key_sql(bad, true), std::invalid_argument);
  bad = k;
  bad.columns = {"a) REFERENCES x (y"};
  EXPECT_THROW(add_foreign_key_sql(bad, true), std::invalid_argument);
  bad = k;
  bad.on_delete = "CASCADE; DROP TABLE x";
  EXPECT_THROW(add_foreign_key_sql(bad, true), std::invalid_argument);
  bad = k;
  bad.on_delete = "CASCADE";
  bad.on_delete_columns = {"a"};  // only SET NULL / SET DEFAULT take columns
  EXPECT_THROW(add_foreign_key_sql(bad, true), std::invalid_argument);
  bad = k;
  bad.referenced_columns = {"id", "other"};
  EXPECT_THROW(add_foreign_key_sql(bad, true), std::invalid_argument);
  EXPECT_THROW(drop_constraint_sql("t", "c; DROP TABLE x"), std::invalid_argument);
  EXPECT_THROW(validate_constraint_sql("t x", "c"), std::invalid_argument);
}

}  // namespace
}  // namespace fkg
