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

TEST(GuardText, DuplicateKeyNotices) {
  NewKeyText k;
  k.name = "sessions_userId_fkey1";
  k.quoted_name = "\"sessions_userId_fkey1\"";
  k.table = "sessions";
  k.referenced_table = "users";
  k.columns = {"\"userId\""};
  k.referenced_columns = {"id"};
  ExistingKeyText old;
  old.name = "sessions_userId_fkey";
  old.quoted = "\"sessions_userId_fkey\"";
  old.definition.on_delete = 'c';
  NoticeText t = duplicate_existing(k, old, false);
  EXPECT_EQ(t.message,
            "foreign key constraint \"sessions_userId_fkey1\" on sessions duplicates \"sessions_userId_fkey\"");
  EXPECT_EQ(t.detail,
            "Both make sessions (\"userId\") reference users (id): every insert or key update on sessions and every "
            "delete or key update on users would check the key twice. They differ in ON DELETE (NO ACTION in "
            "\"sessions_userId_fkey1\", CASCADE in \"sessions_userId_fkey\"): both apply, in the order their triggers "
            "fire.");
  EXPECT_NE(t.hint.find("A migration that runs twice"), std::string::npos);
  // Refused: the setting that turns it off, in each call style.
  EXPECT_NE(duplicate_existing(k, old, true).hint.find(" Or set pg_fk_guard.duplicate_keys = warn to add it anyway."),
            std::string::npos);
  EXPECT_NE(duplicate_existing(k, old, true, CallStyle::Package)
                .hint.find(" Or pass duplicateKeys: 'warn' to guard() to add it anyway."),
            std::string::npos);
  NewKeyText first = k;
  first.name = "sessions_userId_fkey";
  EXPECT_EQ(duplicate_in_statement(k, first, true, CallStyle::Package).hint,
            "Declare the foreign key once. Or pass duplicateKeys: 'warn' to guard() to add both.");
}

TEST(GuardText, ValidationScanNotice) {
  NewKeyText k;
  k.name = "big_user";
  k.quoted_name = "big_user";
  k.table = "big";
  k.referenced_table = "users";
  k.columns = {"user_id"};
  k.referenced_columns = {"id"};
  ValidationScan s;
  s.own_lock = "SHARE ROW EXCLUSIVE";
  s.rows = 5000;
  s.size = "256 kB";
  s.notice_rows = 1000;
  NoticeText t = validation_scan(k, s);
  EXPECT_EQ(t.message,
            "adding foreign key constraint \"big_user\" scans big (about 5000 rows, 256 kB) holding SHARE ROW "
            "EXCLUSIVE on big and users until the transaction ends");
  EXPECT_EQ(t.hint,
            "Add it in two steps: ALTER TABLE big ADD CONSTRAINT big_user FOREIGN KEY (user_id) REFERENCES users (id) "
            "NOT VALID; then, in a transaction of its own, ALTER TABLE big VALIDATE CONSTRAINT big_user; which checks "
            "the rows holding only SHARE UPDATE EXCLUSIVE on big and ROW SHARE on users, so writes go on. "
            "pg_fk_guard.validation_notice_rows (now 1000) sets the estimated rows above which this notice is given.");
  s.own_lock = "ACCESS EXCLUSIVE";
  s.partitioned = true;
  s.two_steps_refused = true;
  t = validation_scan(k, s, CallStyle::Package);
  EXPECT_EQ(t.detail,
            "Without NOT VALID, PostgreSQL checks every row of big against users within this statement; until the "
            "transaction ends, every read and write of big and every write to users waits.");
  EXPECT_EQ(t.hint.rfind("PostgreSQL 17 and older refuse NOT VALID foreign keys on partitioned tables", 0), 0u);
  EXPECT_NE(t.hint.find(" validationNoticeRows (now 1000) in guard()'s options sets"), std::string::npos);
}

TEST(GuardText, CastRefusal) {
  CastRefusalFacts f;
  f.table = "sessions";
  f.column = "\"userId\"";
  f.attname = "userId";
  f.source = "uuid";
  f.target = "integer";
  f.cast_to = "integer";
  f.referenced_table = "users";
  f.referenced_column = "id";
  f.referenced_attname = "id";
  f.key_type = "uuid";
  f.constraint = "\"sessions_userId_fkey\"";
  f.data.read = true;
  f.data.rows_total = 3;
  f.data.rows_null = 1;
  f.data.rows_unconvertible = 2;
  f.data.sample_unconvertible = {"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"};
  f.key_may_follow = true;
  NoticeText t = cast_refusal(f);
  // PostgreSQL's own message and the extension's DETAIL
  EXPECT_EQ(t.message, "column \"userId\" cannot be cast automatically to type integer");
  EXPECT_EQ(
      t.detail.rfind("sessions.\"userId\" is uuid and holds keys of users.id (foreign key \"sessions_userId_fkey\"). "
                     "No cast turns uuid into integer, so no USING \"userId\"::integer can convert it",
                     0),
      0u);
  EXPECT_NE(t.detail.find(" sessions holds 3 rows: 1 with \"userId\" NULL, 2 uuid values that cannot become integer"),
            std::string::npos);
  EXPECT_NE(t.hint.find("SELECT fk_guard.fix_plan('sessions', 'userId', 'users', 'id', on_unconvertible => 'map') "
                        "writes that script (to uuid, the type of users.id)"),
            std::string::npos);
  EXPECT_NE(t.hint.find(" Or, if users.id should become integer as well: SELECT fk_guard.change_key_type_plan('users', "
                        "'id', 'integer') writes"),
            std::string::npos);
  // With USING "col"::type: 42846's message; a key implied by the name; the package's calls.
  f.with_using = true;
  f.cast_to = "smallint";
  f.constraint.clear();
  f.key_of_target_type = true;
  f.tool_note = "Note.";
  f.calls = CallStyle::Package;
  t = cast_refusal(f);
  EXPECT_EQ(t.message, "cannot cast type uuid to smallint");
  EXPECT_NE(t.detail.find("(by its name; no foreign key is declared). No cast turns uuid into smallint, so no USING "
                          "\"userId\"::smallint"),
            std::string::npos);
  EXPECT_NE(t.hint.find("fixPlan(db, {referencingTable: 'sessions', referencingColumn: 'userId', referencedTable: "
                        "'users', referencedColumn: 'id', onUnconvertible: 'map'}) writes that script; with 'null'"),
            std::string::npos);
  EXPECT_EQ(t.hint.find("change_key_type_plan"), std::string::npos);  // the key has the new type already
  EXPECT_EQ(t.hint.substr(t.hint.size() - 6), " Note.");
  // Every value NULL: the conversion loses nothing.
  f.data.rows_total = f.data.rows_null = 2;
  f.data.rows_unconvertible = 0;
  EXPECT_EQ(
      cast_refusal(f).hint.rfind("Every sessions.\"userId\" is NULL, so the type can change without losing "
                                 "anything: ALTER TABLE sessions ALTER COLUMN \"userId\" TYPE integer USING NULL.",
                                 0),
      0u);
}

// A key column whose referencing keys the transaction dropped first.
TEST(GuardText, DroppedKeysNameEveryReferenceAndTheKeyTypePlan) {
  DroppedKeysFacts f;
  f.table = "shop_user";
  f.column = "id";
  f.attname = "id";
  f.source = "integer";
  f.target = "uuid";
  f.cast_to = "uuid";
  f.references = {{"shop_order.buyer_id", "integer", "shop_order_buyer_fk"},
                  {"\"Audit\".\"actorId\"", "integer", "\"Audit actor\""}};
  f.with_using = true;
  EXPECT_EQ(dropped_keys_refusal(f).message, "cannot cast type integer to uuid");
  const std::string d = dropped_keys_refusal(f).detail;
  EXPECT_EQ(d.rfind("shop_user.id is integer and is the key that shop_order.buyer_id (integer, foreign key "
                    "shop_order_buyer_fk) and \"Audit\".\"actorId\" (integer, foreign key \"Audit actor\") reference; "
                    "this transaction dropped those foreign keys",
                    0),
            0u)
      << d;
  EXPECT_NE(d.find("no USING id::uuid can convert it"), std::string::npos) << d;
  f.references.pop_back();
  EXPECT_NE(dropped_keys_refusal(f).detail.find(") references; this transaction dropped that foreign key"),
            std::string::npos);
  // Names as stored go into the call as literals; uuid keys need no
  // expression (the plan uses gen_random_uuid()), other types do.
  f.uuid_target = true;
  f.table = "o'brien";
  EXPECT_EQ(
      dropped_keys_refusal(f).hint.rfind("SELECT fk_guard.change_key_type_plan('o''brien', 'id', 'uuid') writes", 0),
      0u);
  f.calls = CallStyle::Package;
  EXPECT_EQ(
      dropped_keys_refusal(f).hint.rfind(
          "changeKeyTypePlan(db, {referencedTable: 'o\\'brien', referencedColumn: 'id', newType: 'uuid'}) writes", 0),
      0u)
      << dropped_keys_refusal(f).hint;
  f.uuid_target = false;
  f.target = f.cast_to = "bigint";
  EXPECT_EQ(dropped_keys_refusal(f).hint.rfind("changeKeyTypePlan(db, {referencedTable: 'o\\'brien', referencedColumn: "
                                               "'id', newType: 'bigint', newKeyExpression: ...}) writes",
                                               0),
            0u);
  f.calls = CallStyle::Sql;
  const std::string h = dropped_keys_refusal(f).hint;
  EXPECT_EQ(h.rfind("fk_guard.change_key_type_plan('o''brien', 'id', 'bigint', new_key_expression => ...) writes", 0),
            0u)
      << h;
  EXPECT_NE(h.find("from new_key_expression (an expression over each row, alias r"), std::string::npos) << h;
  // Without USING, PostgreSQL's message names the type without its modifier.
  f.with_using = false;
  f.target = "numeric(20,0)";
  f.cast_to = "numeric";
  EXPECT_EQ(dropped_keys_refusal(f).message, "column \"id\" cannot be cast automatically to type numeric");
}

}  // namespace
}  // namespace fkg
