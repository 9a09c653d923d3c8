// The guard's sentences (src/core/guard_text.*), shared by the extension's
// guard and the npm package's: the wording the extension's regression
// outputs and the package's tests hold.
#include <gtest/gtest.h>

#include "guard_text.hpp"

namespace fkg {
namespace {

ColumnType type(const char *display, const char *base, uint32_t oid) {
  ColumnType t;
  t.type_oid = oid;
  t.display = display;
  t.base = base;
  t.base_display = display;
  return t;
}

KeyNames story_names() {
  KeyNames n;
  n.referencing_table = "sessions";
  n.referencing_column = "\"userId\"";
  n.referencing_attname = "userId";
  n.referenced_table = "users";
  n.referenced_column = "id";
  n.referenced_attname = "id";
  n.constraint = "sessions_userId_fkey";
  return n;
}

TEST(GuardText, DataSentenceCountsAndSamples) {
  DataFacts d;
  d.read = true;
  d.rows_total = 6;
  d.rows_null = 2;
  d.rows_unconvertible = 4;
  d.sample_unconvertible = {"a", "b"};
  EXPECT_EQ(data_sentence("sessions", "\"userId\"", "uuid", "integer", d),
            "sessions holds 6 rows: 2 with \"userId\" NULL, 4 uuid values that cannot become integer "
            "(for example 'a' and 'b').");
  d.rows_null = 6;
  d.rows_unconvertible = 0;
  EXPECT_EQ(data_sentence("sessions", "\"userId\"", "uuid", "integer", d),
            "sessions holds 6 rows, all with \"userId\" NULL.");
  DataFacts big;
  big.estimated = 200000;
  big.row_limit = 100000;
  EXPECT_EQ(data_sentence("t", "c", "uuid", "integer", big),
            "t has about 200000 rows, more than pg_fk_guard.profile_row_limit, so its data was not read.");
  EXPECT_EQ(data_sentence("t", "c", "uuid", "integer", DataFacts{}), "");
}

TEST(GuardText, RefusalAndSoftMessages) {
  EXPECT_EQ(refusal_message("sessions_userId_fkey"),
            "foreign key constraint \"sessions_userId_fkey\" cannot be implemented");
  EXPECT_EQ(soft_message("o_fkey", false, type("integer", "int4", 23), type("bigint", "int8", 20), Kind::Narrower),
            "foreign key constraint \"o_fkey\" pairs integer with bigint (narrower)");
  Verdict v;
  v.kind = Kind::Narrower;
  v.problems.push_back({Kind::Narrower, "Why."});
  EXPECT_EQ(pair_detail(story_names(), type("integer", "int4", 23), false, type("bigint", "int8", 20), true, v),
            "sessions.\"userId\" is integer; users.id becomes bigint. Why.");
}

TEST(GuardText, IncompatibleHintWithoutACast) {
  RefusalFacts f;
  f.names = story_names();
  f.fk = type("uuid", "uuid", 2950);
  f.pk = type("integer", "int4", 23);
  f.conversion = Conversion::None;
  f.data.read = true;
  f.data.rows_total = 6;
  f.data.rows_null = 2;
  f.tool_note = "Tool.";
  f.explain_note = explain_note(LeftOut{false, false, false, true}, explain_call("public.sessions", "userId"));
  EXPECT_EQ(incompatible_hint(f),
            "There is no cast from uuid to integer, so no USING expression can convert sessions.\"userId\": map its "
            "values to keys of users through a column that holds them (UPDATE ... FROM), or set to NULL or delete "
            "the rows that cannot be mapped; then change its type to integer and add the foreign key. SELECT "
            "fk_guard.fix_plan('sessions', 'userId', 'users', 'id', on_unconvertible => 'map', constraint_name => "
            "'sessions_userId_fkey') writes that script; with 'null' it sets the unmapped values to NULL, with "
            "'delete' it deletes their rows. sessions.\"userId\" is still uuid: nothing so far has changed its type. "
            "Tool. What the DETAIL leaves out (which migrations ran): SELECT fk_guard.explain('public.sessions', "
            "'userId');");
  f.declared_here = true;
  EXPECT_EQ(incompatible_hint(f), "Declare \"userId\" as integer, the type of users.id.");
}

TEST(GuardText, PackageHintNamesThePackagesFunctions) {
  RefusalFacts f;
  f.names = story_names();
  f.fk = type("uuid", "uuid", 2950);
  f.pk = type("integer", "int4", 23);
  f.conversion = Conversion::None;
  f.data.read = true;
  f.data.rows_total = 6;
  f.data.rows_null = 2;
  f.tool_note = "Tool.";
  f.calls = CallStyle::Package;
  f.key_change_note = key_change_note(f.names, "uuid", CallStyle::Package);
  EXPECT_EQ(incompatible_hint(f),
            "There is no cast from uuid to integer, so no USING expression can convert sessions.\"userId\": map its "
            "values to keys of users through a column that holds them (UPDATE ... FROM), or set to NULL or delete "
            "the rows that cannot be mapped; then change its type to integer and add the foreign key. "
            "fixPlan(db, {referencingTable: 'sessions', referencingColumn: 'userId', referencedTable: 'users', "
            "referencedColumn: 'id', onUnconvertible: 'map', constraintName: 'sessions_userId_fkey'}) writes that "
            "script; with 'null' it sets the unmapped values to NULL, with 'delete' it deletes their rows. Or, if "
            "users.id should become uuid instead: changeKeyTypePlan(db, {referencedTable: 'users', "
            "referencedColumn: 'id', newType: 'uuid'}) writes the script that changes it together with every column "
            "that references it. sessions.\"userId\" is still uuid: nothing so far has changed its type. Tool.");
  EXPECT_EQ(explain_call("public.\"Sessions\"", "userId", CallStyle::Package),
            "explain(db, {table: 'public.\"Sessions\"', column: 'userId'});");
  // The SQL form stays the extension's.
  EXPECT_EQ(fix_plan_call("s", "c", "u", "id", "null", nullptr),
            "SELECT fk_guard.fix_plan('s', 'c', 'u', 'id', on_unconvertible => 'null')");
  EXPECT_EQ(fix_plan_call("s", "c", "u", "id", nullptr, nullptr, CallStyle::Package),
            "fixPlan(db, {referencingTable: 's', referencingColumn: 'c', referencedTable: 'u', referencedColumn: "
            "'id'})");
}

TEST(GuardText, JsLiteralEscapes) {
  EXPECT_EQ(js_literal("plain"), "'plain'");
  EXPECT_EQ(js_literal("it's"), "'it\\'s'");
  EXPECT_EQ(js_literal("a\\b"), "'a\\\\b'");
  EXPECT_EQ(js_literal("\"Sessions\""), "'\"Sessions\"'");
  EXPECT_EQ(js_literal("l1\nl2\t"), "'l1\\nl2\\x09'");
  EXPECT_EQ(js_literal("caf\xc3\xa9"), "'caf\xc3\xa9'");
}

TEST(GuardText, SoftHint) {
  SoftFacts f;
  f.names = story_names();
  f.pk = type("bigint", "int8", 20);
  f.kind = Kind::Narrower;
  f.alter = "ALTER TABLE sessions ALTER COLUMN \"userId\" TYPE bigint";
  EXPECT_EQ(soft_hint(f),
            "To match, convert sessions.\"userId\": ALTER TABLE sessions ALTER COLUMN \"userId\" TYPE bigint.");
  f.referenced_retyped = true;
  EXPECT_EQ(soft_hint(f), "Convert sessions.\"userId\" too: ALTER TABLE sessions ALTER COLUMN \"userId\" TYPE bigint.");
  EXPECT_EQ(explain_note(LeftOut{}, "x"), "");
}

TEST(GuardText, RebuiltKeysDetailAndFallback) {
  EXPECT_EQ(rebuilt_detail_opening(false),
            "ALTER COLUMN TYPE makes PostgreSQL rebuild this foreign key, which it could not implement. ");
  EXPECT_EQ(rebuilt_detail_opening(true),
            "ALTER COLUMN TYPE makes PostgreSQL rebuild these foreign keys, which it could not implement. ");
  RebuiltFacts f;
  f.names = story_names();
  f.fallback = true;
  const std::string fallback =
      "Convert the referencing columns in the same statement, or drop these constraints first and add them again "
      "once the types match.";
  EXPECT_EQ(rebuilt_hint(f), fallback);
  // A key of several columns among the referrers: no script either.
  f.fallback = false;
  f.key_side = true;
  f.statement = "ALTER TABLE users ALTER COLUMN id TYPE bigint";
  f.new_type = "bigint";
  RebuiltReferrer multi;
  multi.table = "pairs";
  multi.constraint = "pairs_fkey";
  multi.column = "a";
  multi.multi = true;
  f.referrers = {multi};
  EXPECT_EQ(rebuilt_hint(f), fallback);
}

TEST(GuardText, RebuiltKeysSteps) {
  RebuiltFacts f;
  f.names = story_names();
  f.key_side = true;
  f.statement = "ALTER TABLE users ALTER COLUMN id TYPE bigint;  ";
  f.new_type = "bigint";
  RebuiltReferrer r;
  r.table = "sessions";
  r.constraint = "\"sessions_userId_fkey\"";
  r.column = "\"userId\"";
  r.definition = "FOREIGN KEY (\"userId\") REFERENCES users(id)";
  r.conversion = Conversion::Assignment;
  RebuiltReferrer same = r;
  same.table = "audit";
  same.of_new_type = true;  // rebuilt as it is: not in the steps
  f.referrers = {r, same};
  f.later_statement_retypes = true;
  EXPECT_EQ(rebuilt_hint(f),
            "One ALTER TABLE cannot convert columns of two tables, and PostgreSQL rebuilds the foreign key when this "
            "statement ends. A later statement in the same query string converts sessions.\"userId\", but only after "
            "that. Run, in this order: BEGIN; ALTER TABLE sessions DROP CONSTRAINT \"sessions_userId_fkey\"; ALTER "
            "TABLE users ALTER COLUMN id TYPE bigint; ALTER TABLE sessions ALTER COLUMN \"userId\" TYPE bigint; ALTER "
            "TABLE sessions ADD CONSTRAINT \"sessions_userId_fkey\" FOREIGN KEY (\"userId\") REFERENCES users(id); "
            "COMMIT;");
  // No cast: the drops, and for a surrogate key the plan, in each call style.
  f.later_statement_retypes = false;
  f.new_type = "uuid";
  f.referrers[0].conversion = Conversion::None;
  f.key_may_follow = true;
  std::string sql = rebuilt_hint(f);
  EXPECT_NE(sql.find("No cast converts sessions.\"userId\" to uuid. Drop the foreign keys first (ALTER TABLE "
                     "sessions DROP CONSTRAINT \"sessions_userId_fkey\"; then run the statement), then "
                     "fk_guard.fix_plan() writes"),
            std::string::npos)
      << sql;
  EXPECT_NE(sql.find("Or SELECT fk_guard.change_key_type_plan('users', 'id', 'uuid') writes one script"),
            std::string::npos);
  f.calls = CallStyle::Package;
  std::string js = rebuilt_hint(f);
  EXPECT_NE(js.find("then fixPlan() writes"), std::string::npos) << js;
  EXPECT_NE(js.find("(pass constraintName to keep its name)"), std::string::npos);
  EXPECT_NE(js.find("Or changeKeyTypePlan(db, {referencedTable: 'users', referencedColumn: 'id', newType: 'uuid'})"),
            std::string::npos);
  // The referencing column converted: the key and the other referrers follow.
  RebuiltFacts g;
  g.names = story_names();
  g.statement = "ALTER TABLE sessions ALTER COLUMN \"userId\" TYPE bigint";
  g.new_type = "bigint";
  g.key_type = "integer";
  g.key_conversion = Conversion::Assignment;
  RebuiltReferrer self = r;
  self.altered_here = true;
  RebuiltReferrer other = r;
  other.table = "orders";
  other.constraint = "orders_user_fkey";
  other.column = "user_id";
  g.referrers = {self, other};
  std::string hint = rebuilt_hint(g);
  EXPECT_EQ(hint.rfind("sessions.\"userId\" references users.id, which stays integer: keep sessions.\"userId\" as it "
                       "is, or change users.id and the other columns that reference it (orders.user_id) to bigint "
                       "with it. Run, in this order: BEGIN; ALTER TABLE sessions DROP CONSTRAINT",
                       0),
            0u)
      << hint;
}

}  // namespace
}  // namespace fkg
