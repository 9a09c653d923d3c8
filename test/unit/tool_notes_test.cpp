// Unit tests for recognising the migration tool from the statement it sends.
// Each statement is written exactly as the tool sends it.
#include <gtest/gtest.h>

#include "tool_notes.hpp"

namespace fkg {
namespace {

std::string tool_of(const char *query, const char *constraint, const char *app = "") {
  const ToolNote *n = recognise_tool(StatementShape{query, constraint, app});
  return n ? n->tool : "";
}

TEST(ToolNotes, Sequelize) {
  EXPECT_EQ(tool_of("ALTER TABLE \"sessions\"  ADD FOREIGN KEY (\"userId\") REFERENCES \"users\" (\"id\");",
                    "sessions_userId_fkey"),
            "Sequelize");
}

TEST(ToolNotes, TypeORM) {
  EXPECT_EQ(tool_of("ALTER TABLE \"sessions\" ADD CONSTRAINT \"FK_57de40bc620f456c7311aa3a1e6\" FOREIGN KEY "
                    "(\"userId\") REFERENCES \"users\"(\"id\") ON DELETE NO ACTION ON UPDATE NO ACTION",
                    "FK_57de40bc620f456c7311aa3a1e6"),
            "TypeORM");
}

TEST(ToolNotes, Rails) {
  EXPECT_EQ(tool_of("ALTER TABLE \"sessions\" ADD CONSTRAINT \"fk_rails_758836b4f0\"\nFOREIGN KEY (\"user_id\")\n  "
                    "REFERENCES \"users\" (\"id\")\n",
                    "fk_rails_758836b4f0"),
            "Rails");
}

TEST(ToolNotes, Django) {
  EXPECT_EQ(tool_of("ALTER TABLE \"app_session\" ADD CONSTRAINT \"app_session_user_id_c5a5b1a0_fk_auth_user_id\" "
                    "FOREIGN KEY (\"user_id\") REFERENCES \"auth_user\" (\"id\") DEFERRABLE INITIALLY DEFERRED",
                    "app_session_user_id_c5a5b1a0_fk_auth_user_id"),
            "Django");
  // As Django 3.2 adds the keys back after AlterField changed the key they point at
  // (test/e2e-python/fixtures/django/parent-bigint-sent.sql).
  EXPECT_EQ(tool_of("ALTER TABLE \"shop_order\" ADD CONSTRAINT \"shop_order_buyer_id_cffd21d9_fk\" FOREIGN KEY "
                    "(\"buyer_id\") REFERENCES \"shop_user\" (\"id\") DEFERRABLE INITIALLY DEFERRED",
                    "shop_order_buyer_id_cffd21d9_fk"),
            "Django");
  EXPECT_EQ(tool_of("ALTER TABLE \"shop_session\" ADD CONSTRAINT \"shop_session_userId_5963d0d3_fk_shop_user_id\" "
                    "FOREIGN KEY (\"userId\") REFERENCES \"shop_user\" (\"id\") DEFERRABLE INITIALLY DEFERRED",
                    "shop_session_userId_5963d0d3_fk_shop_user_id"),
            "Django");
  EXPECT_EQ(tool_of("ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)",
                    "orders_user_fk"),
            "");
}

// As SQLAlchemy 1.4 compiles op.create_foreign_key() (test/e2e-python/fixtures/alembic).
TEST(ToolNotes, Alembic) {
  EXPECT_EQ(tool_of("ALTER TABLE sessions ADD FOREIGN KEY(\"userId\") REFERENCES users (id)", "sessions_userId_fkey"),
            "Alembic");
  EXPECT_EQ(tool_of("ALTER TABLE sessions ADD CONSTRAINT fk_sessions_user_id_users FOREIGN KEY(user_id) REFERENCES "
                    "users (id)",
                    "fk_sessions_user_id_users"),
            "Alembic");
  EXPECT_EQ(tool_of("ALTER TABLE orders ADD FOREIGN KEY(user_id) REFERENCES users (id)", "orders_user_id_fkey", ""),
            "Alembic");
  EXPECT_EQ(tool_of("ALTER TABLE sessions ADD FOREIGN KEY (user_id) REFERENCES users (id)", "sessions_user_id_fkey"),
            "");
  std::string n = tool_note_for(StatementShape{"", "", "alembic", "", {}}, "integer");
  EXPECT_NE(n.find("sa.Integer() (integer)"), std::string::npos) << n;
  EXPECT_NE(n.find("op.get_bind().exec_driver_sql()"), std::string::npos) << n;
  EXPECT_NE(tool_note_for(StatementShape{"", "", "alembic", "", {}}, "uuid").find("postgresql.UUID() (uuid)"),
            std::string::npos);
}

TEST(ToolNotes, Prisma) {
  EXPECT_EQ(tool_of("ALTER TABLE \"Post\" ADD CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\") "
                    "REFERENCES \"User\"(\"id\") ON DELETE RESTRICT ON UPDATE CASCADE;",
                    "Post_authorId_fkey"),
            "Prisma");
}

TEST(ToolNotes, Hibernate) {
  EXPECT_EQ(tool_of("alter table if exists session add constraint FKrjw9o2b6sa6yq1s58pq3rykfy foreign key (user_id) "
                    "references users",
                    "fkrjw9o2b6sa6yq1s58pq3rykfy"),
            "Hibernate");
}

// "FK" + BigInteger(1, md5).toString(35) (NamingHelper.generateHashedFkName):
// 25 digits, 24 for about 1 name in 30, fewer more rarely; base 35 has no
// "z" and no leading zero. The names below are real: Hibernate's own test
// vector (NamingHelperTest, UTF-8) and names it gives table t19, t1382,
// t6364 referencing users through user_id.
TEST(ToolNotes, HibernateHashesOfEveryLength) {
  const char *stmt = "alter table if exists t add constraint x foreign key (user_id) references users";
  EXPECT_EQ(tool_of(stmt, "fkpvm24wh1qwbmx6xjcbc7uv5f7"), "Hibernate");  // 25
  EXPECT_EQ(tool_of(stmt, "fkdgopp1hqnm8c1o6sfbb3tbeh"), "Hibernate");   // 24
  EXPECT_EQ(tool_of(stmt, "fkhedttefk17ejxutiriq8kclo"), "Hibernate");   // 24
  EXPECT_EQ(tool_of(stmt, "fkh1b2vvbssetl40vc3fqxjb0"), "Hibernate");    // 23
  EXPECT_EQ(tool_of(stmt, "fkssm2pk87y7e3i40cpmdpy2"), "Hibernate");     // 22
  EXPECT_EQ(tool_of(stmt, "FKdgopp1hqnm8c1o6sfbb3tbeh"), "Hibernate");   // quoted, as Hibernate writes it
  EXPECT_EQ(tool_of(stmt, "fk1xa2b3c4d5e6f7g8h9i"), "");                 // 19 digits
  EXPECT_EQ(tool_of(stmt, "fkpvm24wh1qwbmx6xjcbc7uv5f7a"), "");          // 26 digits
  EXPECT_EQ(tool_of(stmt, "fkpvm24wh1qwbmx6xjcbc7uv5fz"), "");           // "z" is no base-35 digit
  EXPECT_EQ(tool_of(stmt, "fk0gopp1hqnm8c1o6sfbb3tbeh"), "");            // no leading zero
  EXPECT_EQ(tool_of(stmt, "fk_orders_accounts"), "");
  EXPECT_EQ(tool_of(stmt, "fkordersaccounts"), "");
}

std::string tool_of_fk(const char *query, const char *constraint, const char *table, std::vector<std::string> columns,
                       const char *app = "") {
  const ToolNote *n = recognise_tool(StatementShape{query, constraint, app, table, std::move(columns)});
  return n ? n->tool : "";
}

// node-pg-migrate names a foreign key `${table}_fk_${columns.join('_')}`.
TEST(ToolNotes, NodePgMigrate) {
  EXPECT_EQ(tool_of_fk("ALTER TABLE \"sessions\"\n  ADD CONSTRAINT \"sessions_fk_userId\" FOREIGN KEY (\"userId\") "
                       "REFERENCES \"users\";",
                       "sessions_fk_userId", "sessions", {"userId"}),
            "node-pg-migrate");
  EXPECT_EQ(tool_of_fk("ALTER TABLE \"follows\"\n  ADD CONSTRAINT \"follows_fk_a_b\" FOREIGN KEY (\"a\", \"b\") "
                       "REFERENCES \"pairs\";",
                       "follows_fk_a_b", "follows", {"a", "b"}),
            "node-pg-migrate");
  // Longer than 63 bytes: PostgreSQL keeps the first 63.
  std::string table(50, 't'), column(20, 'c');
  std::string full = table + "_fk_" + column;
  EXPECT_EQ(tool_of_fk("", full.substr(0, 63).c_str(), table.c_str(), {column}), "node-pg-migrate");
  EXPECT_EQ(tool_of_fk("", full.substr(0, 50).c_str(), table.c_str(), {column}), "");
}

TEST(ToolNotes, HandWrittenFkNamesAreNotNodePgMigrate) {
  const char *q = "ALTER TABLE orders ADD CONSTRAINT orders_fk_accounts FOREIGN KEY (account_id) REFERENCES accounts";
  EXPECT_EQ(tool_of_fk(q, "orders_fk_accounts", "orders", {"account_id"}), "");
  EXPECT_EQ(tool_of_fk(q, "orders_fk_account_id", "invoices", {"account_id"}), "");
  EXPECT_EQ(tool_of_fk(q, "orders_fk_account", "orders", {"account_id"}), "");
  EXPECT_EQ(tool_of_fk(q, "orders_fk_account_id", "orders", {"account_id", "region"}), "");
  EXPECT_EQ(tool_of_fk(q, "orders_fk_accounts", "", {}), "");
  EXPECT_EQ(tool_of_fk(q, "orders_fk_accounts", "orders", {"account_id"}, "node-pg-migrate"), "node-pg-migrate");
}

TEST(ToolNotes, ApplicationNameSpeaksForAnyShape) {
  EXPECT_EQ(tool_of("ALTER TABLE sessions ADD FOREIGN KEY (user_id) REFERENCES users", "sessions_user_id_fkey",
                    "Rails Console"),
            "Rails");
}

TEST(ToolNotes, PlainSqlGetsNoToolSentence) {
  EXPECT_EQ(tool_of("ALTER TABLE sessions ADD FOREIGN KEY (user_id) REFERENCES users", "sessions_user_id_fkey"), "");
  EXPECT_EQ(tool_of("alter table sessions add constraint sessions_user_fk foreign key (user_id) references users(id)",
                    "sessions_user_fk"),
            "");
  // PostgreSQL's default names in plain SQL (as Ecto sends them) cannot be told apart from it.
  EXPECT_EQ(tool_of("ALTER TABLE sessions ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES "
                    "users(id)",
                    "sessions_user_id_fkey"),
            "");
  EXPECT_EQ(std::string(generic_tool_note()).find("Sequelize"), std::string::npos);
}

// The note for a key of this type, from the tool the application name names.
// The statement's names: account_sessions.account_id -> accounts.id.
std::string note_for(const char *app, const char *key_type) {
  return tool_note_for(StatementShape{"", "", app, "account_sessions", {"account_id"}, "account_id", "accounts", "id"},
                       key_type);
}

struct Spelling {
  const char *app;
  const char *key_type;
  std::vector<const char *> has;    // the tool's spelling of that type
  std::vector<const char *> hasnt;  // its spelling of the other types
};

// Each tool writes the referenced key's type its own way: the founding case
// (a uuid column referencing an integer key) must not be told to use uuid.
TEST(ToolNotes, EachToolSpellsTheKeysType) {
  const Spelling cases[] = {
      {"sequelize", "integer", {"type DataTypes.INTEGER and no `references`"}, {"DataTypes.UUID", "DataTypes.BIGINT"}},
      {"sequelize", "bigint", {"type DataTypes.BIGINT"}, {"DataTypes.UUID", "DataTypes.INTEGER"}},
      {"sequelize", "uuid", {"type DataTypes.UUID"}, {"DataTypes.INTEGER", "DataTypes.BIGINT"}},
      {"typeorm", "integer", {"integer (@Column({ type: 'integer' }) next to"}, {"'uuid'", "'bigint'"}},
      {"typeorm", "bigint", {"@Column({ type: 'bigint' })"}, {"'uuid'", "'integer'"}},
      {"typeorm", "uuid", {"@Column({ type: 'uuid' })"}, {"'integer'", "'bigint'"}},
      {"rails",
       "integer",
       {"type: :integer, foreign_key: true", "t.references ... type: :integer)"},
       {":uuid", ":bigint"}},
      {"rails", "bigint", {"type: :bigint, foreign_key: true"}, {":uuid", ":integer"}},
      {"rails", "uuid", {"type: :uuid, foreign_key: true"}, {":integer", ":bigint"}},
      {"django",
       "integer",
       {"primary key as AutoField", "'django.db.models.AutoField'"},
       {"UUIDField", "BigAutoField"}},
      {"django", "bigint", {"primary key as BigAutoField"}, {"UUIDField", "as AutoField"}},
      {"django", "uuid", {"primary key as UUIDField(primary_key=True)"}, {"AutoField"}},
      {"prisma", "integer", {"same type, Int (integer)"}, {"Uuid", "BigInt"}},
      {"prisma", "bigint", {"same type, BigInt (bigint)"}, {"Uuid", "same type, Int"}},
      {"prisma", "uuid", {"same type, String @db.Uuid (uuid)"}, {"Int"}},
      {"hibernate", "integer", {"an Integer id field", "columnDefinition = \"integer\""}, {"UUID", "Long"}},
      {"hibernate", "bigint", {"a Long id field", "columnDefinition = \"bigint\""}, {"UUID", "Integer"}},
      {"hibernate", "uuid", {"a java.util.UUID id field", "columnDefinition = \"uuid\""}, {"Integer", "Long"}},
      {"knex",
       "integer",
       {"table.integer('account_id')", "$table->integer('account_id')", "->foreign('account_id')"},
       {"uuid", "foreignId('account_id')", "bigInteger"}},
      {"knex",
       "bigint",
       {"table.bigInteger('account_id')", "$table->foreignId('account_id')->constrained('accounts')"},
       {"uuid", "Uuid", "table.integer"}},
      {"laravel",
       "uuid",
       {"table.uuid('account_id')", "$table->foreignUuid('account_id')->constrained('accounts')"},
       {"integer", "foreignId"}},
      {"node-pg-migrate", "integer", {"as integer (type: 'integer')"}, {"uuid", "bigint"}},
      {"node-pg-migrate", "bigint", {"as bigint (type: 'bigint')"}, {"uuid", "'integer'"}},
      {"node-pg-migrate", "uuid", {"as uuid (type: 'uuid')"}, {"integer", "bigint"}},
  };
  for (const Spelling &c : cases) {
    std::string note = note_for(c.app, c.key_type);
    for (const char *h : c.has)
      EXPECT_NE(note.find(h), std::string::npos) << c.app << " " << c.key_type << ": " << note;
    for (const char *h : c.hasnt)
      EXPECT_EQ(note.find(h), std::string::npos) << c.app << " " << c.key_type << " names " << h << ": " << note;
  }
}

TEST(ToolNotes, FoundingCaseInFull) {
  EXPECT_EQ(
      note_for("rails", "integer"),
      "Rails: give the reference the key's type, integer: add_reference :account_sessions, :account, type: :integer, "
      "foreign_key: true (or t.references ... type: :integer); for an existing column, change_column (with "
      "using: where the cast needs it) before add_foreign_key, or, where no cast exists, execute the statements "
      "fix_plan() writes.");
  EXPECT_EQ(note_for("typeorm", "integer"),
            "TypeORM gives the join column the type of its @Column: declare it with the referenced primary key's "
            "type, integer (@Column({ type: 'integer' }) next to @ManyToOne/@JoinColumn), then generate the "
            "migration again.");
}

// Sequelize's changeColumn() sends no USING: right whether or not a cast exists.
TEST(ToolNotes, SequelizeNoteCoversConversionsWithoutACast) {
  std::string note = note_for("sequelize", "integer");
  EXPECT_NE(note.find("Where PostgreSQL converts the column without USING, call changeColumn() with type "
                      "DataTypes.INTEGER and no `references` first, then queryInterface.addConstraint()"),
            std::string::npos)
      << note;
  EXPECT_NE(note.find("changeColumn() is refused even on an empty table: run the statements fix_plan() writes, which "
                      "add the foreign key too, with queryInterface.sequelize.query()"),
            std::string::npos)
      << note;
}

// knex's .alter() casts with USING ("col"::type): no good without a cast.
TEST(ToolNotes, KnexAlterOnlyWhereACastExists) {
  std::string note = note_for("knex", "integer");
  EXPECT_NE(note.find(".alter() converts an existing one only where a cast exists, otherwise run the statements "
                      "fix_plan() writes with knex.raw()"),
            std::string::npos)
      << note;
  EXPECT_EQ(note.find(".alter() for an existing one"), std::string::npos);
}

TEST(ToolNotes, OtherKeyTypes) {
  EXPECT_NE(note_for("rails", "smallint").find("type: :integer, limit: 2,"), std::string::npos);
  EXPECT_NE(note_for("rails", "character varying(36)").find("type: :string, limit: 36,"), std::string::npos);
  EXPECT_NE(note_for("prisma", "character varying(36)").find("String @db.VarChar(36) (character varying(36))"),
            std::string::npos);
  EXPECT_NE(note_for("typeorm", "character varying(3)").find("@Column({ type: 'varchar', length: 3 })"),
            std::string::npos);
  EXPECT_NE(note_for("knex", "text").find("table.text('account_id')"), std::string::npos);
  EXPECT_NE(note_for("knex", "character varying(36)").find("table.string('account_id', 36)"), std::string::npos);
  EXPECT_NE(note_for("django", "character varying(36)").find("CharField(max_length=36, primary_key=True)"),
            std::string::npos);
  EXPECT_NE(note_for("sequelize", "text").find("type DataTypes.TEXT"), std::string::npos);
  // No spelling of its own: a sentence that names the SQL type.
  EXPECT_NE(note_for("rails", "numeric(10,0)").find("the key's type, numeric(10,0) (add_reference ... type:)"),
            std::string::npos);
  EXPECT_NE(note_for("sequelize", "numeric(10,0)").find("with a type that maps to numeric(10,0) and no"),
            std::string::npos);
  EXPECT_NE(note_for("prisma", "numeric(10,0)").find("a type that maps to numeric(10,0),"), std::string::npos);
  EXPECT_NE(note_for("django", "numeric(10,0)").find("as a field whose column is numeric(10,0),"), std::string::npos);
  EXPECT_NE(note_for("typeorm", "numeric(10,0)").find("numeric(10,0) (in its @Column next to"), std::string::npos);
  EXPECT_NE(note_for("knex", "numeric(10,0)").find("table.specificType('account_id', 'numeric(10,0)')"),
            std::string::npos);
  EXPECT_NE(note_for("knex", "numeric(10,0)").find("Laravel: declare the column as numeric(10,0), then"),
            std::string::npos);
  EXPECT_NE(note_for("node-pg-migrate", "numeric(10,0)").find("(type: 'numeric(10,0)')"), std::string::npos);
  // A type name no string literal can hold as it is is named, not quoted.
  std::string odd = note_for("knex", "\"it's\"");
  EXPECT_EQ(odd.find("specificType"), std::string::npos) << odd;
  EXPECT_NE(odd.find("declare the column as \"it's\" before .foreign()"), std::string::npos) << odd;
  EXPECT_EQ(note_for("node-pg-migrate", "\"it's\"").find("type: '"), std::string::npos);
  EXPECT_NE(note_for("hibernate", "\"it's\"").find("columnDefinition = ...)"), std::string::npos);
}

TEST(ToolNotes, UnrecognisedGetsTheGenericNote) {
  EXPECT_EQ(tool_note_for(StatementShape{"ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES u", "t_a_fkey", "", "t", {"a"}},
                          "integer"),
            generic_tool_note());
}

// Conversions no cast can do: how each tool writes ALTER COLUMN ... TYPE.
std::string cast_tool_of(const char *query, const char *app = "") {
  const ToolNote *n = recognise_cast_tool(StatementShape{query, "", app});
  return n ? n->tool : "";
}

TEST(CastToolNotes, KnexAlterCastsInParentheses) {
  EXPECT_EQ(cast_tool_of("alter table \"sessions\" alter column \"userId\" type integer using (\"userId\"::integer)"),
            "knex");
}

TEST(CastToolNotes, DjangoAlterFieldCastsWithoutParentheses) {
  EXPECT_EQ(cast_tool_of("ALTER TABLE \"app_session\" ALTER COLUMN \"user_id\" TYPE integer USING "
                         "\"user_id\"::integer"),
            "Django");
}

TEST(CastToolNotes, SequelizeChangeColumnSendsNoUsing) {
  EXPECT_EQ(cast_tool_of("ALTER TABLE \"sessions\" ALTER COLUMN \"userId\" DROP NOT NULL;ALTER TABLE \"sessions\" "
                         "ALTER COLUMN \"userId\" DROP DEFAULT;ALTER TABLE \"sessions\" ALTER COLUMN \"userId\" TYPE "
                         "INTEGER;"),
            "Sequelize");
  EXPECT_EQ(cast_tool_of("ALTER TABLE \"public\".\"sessions\" ALTER COLUMN \"userId\" SET NOT NULL;ALTER TABLE "
                         "\"public\".\"sessions\" ALTER COLUMN \"userId\" DROP DEFAULT;ALTER TABLE "
                         "\"public\".\"sessions\" ALTER COLUMN \"userId\" TYPE INTEGER;"),
            "Sequelize");
}

// As SQLAlchemy 1.4 compiles op.alter_column(type_=...): a space at the end, or postgresql_using.
TEST(CastToolNotes, AlembicAlterColumnTypeInCapitals) {
  EXPECT_EQ(cast_tool_of("ALTER TABLE sessions ALTER COLUMN \"userId\" TYPE INTEGER "), "Alembic");
  EXPECT_EQ(cast_tool_of("ALTER TABLE sessions ALTER COLUMN \"userId\" TYPE INTEGER USING \"userId\"::integer"),
            "Alembic");
  EXPECT_EQ(cast_tool_of("ALTER TABLE sessions ALTER COLUMN code TYPE VARCHAR(36) "), "Alembic");
  EXPECT_EQ(cast_tool_of("ALTER TABLE sessions ALTER COLUMN \"userId\" TYPE INTEGER"), "");
  EXPECT_EQ(cast_tool_of("ALTER TABLE sessions ALTER COLUMN \"userId\" TYPE integer USING \"userId\"::integer"), "");
}

// As Active Record 6.1's change_column sends it (test/e2e-ruby-php/fixtures/rails).
TEST(CastToolNotes, RailsChangeColumnSendsNoUsing) {
  EXPECT_EQ(cast_tool_of("ALTER TABLE \"sessions\" ALTER COLUMN \"user_id\" TYPE integer"), "Rails");
  EXPECT_EQ(cast_tool_of("ALTER TABLE \"users\" ALTER COLUMN \"id\" TYPE uuid"), "Rails");
  EXPECT_EQ(cast_tool_of("ALTER TABLE \"users\" ALTER COLUMN \"id\" TYPE uuid;"), "Rails");
  EXPECT_EQ(cast_tool_of("ALTER TABLE \"public\".\"sessions\" ALTER COLUMN \"code\" TYPE character varying(36), "
                         "ALTER COLUMN \"code\" SET NOT NULL"),
            "Rails");
  // Prisma's SET DATA TYPE and Sequelize's upper-case types are not it.
  EXPECT_EQ(cast_tool_of("ALTER TABLE \"sessions\" ALTER COLUMN \"user_id\" SET DATA TYPE INTEGER"), "");
}

// As Laravel 8's ->change() sends it through Doctrine DBAL 3
// (test/e2e-ruby-php/fixtures/laravel).
TEST(CastToolNotes, LaravelChangeThroughDoctrine) {
  EXPECT_EQ(cast_tool_of("ALTER TABLE sessions ALTER user_id TYPE INT"), "Laravel or Doctrine");
  EXPECT_EQ(cast_tool_of("ALTER TABLE users ALTER id TYPE UUID"), "Laravel or Doctrine");
  EXPECT_EQ(cast_tool_of("ALTER TABLE users ALTER id TYPE UUID;\n"), "Laravel or Doctrine");
  EXPECT_EQ(cast_tool_of("ALTER TABLE public.\"order\" ALTER \"user\" TYPE VARCHAR(36)"), "Laravel or Doctrine");
  EXPECT_EQ(cast_tool_of("ALTER TABLE sessions ALTER user_id TYPE integer", "Laravel"), "Laravel or Doctrine");
  // With COLUMN, or a lower-case type, it is someone else's.
  EXPECT_EQ(cast_tool_of("ALTER TABLE sessions ALTER COLUMN user_id TYPE INT"), "");
  EXPECT_EQ(cast_tool_of("ALTER TABLE sessions ALTER user_id TYPE int"), "");
}

TEST(CastToolNotes, AnotherColumnsCastIsNoToolShape) {
  // knex's shape casts the column being altered; a cast of another column is not it.
  EXPECT_EQ(cast_tool_of("alter table \"sessions\" alter column \"userId\" type integer using (\"other\"::integer)"),
            "");
  EXPECT_EQ(cast_tool_of("ALTER TABLE sessions ALTER COLUMN \"userId\" TYPE integer"), "");
  EXPECT_EQ(cast_tool_of("ALTER TABLE \"sessions\" ALTER COLUMN \"user_id\" TYPE integer USING user_id::integer"), "");
  EXPECT_EQ(cast_tool_of("ALTER TABLE sessions ALTER COLUMN \"userId\" TYPE integer", "rails 6.1"), "Rails");
}

// The names are the statement's, in each tool's syntax.
std::string named(const char *app, const char *table, const char *column, const char *ref_table, const char *ref_column,
                  const char *key_type = "integer") {
  return tool_note_for(StatementShape{"", "", app, table, {column}, column, ref_table, ref_column}, key_type);
}

TEST(ToolNotes, NamesAreTheStatements) {
  std::string r = named("rails", "account_sessions", "account_id", "accounts", "id");
  EXPECT_NE(r.find("add_reference :account_sessions, :account, type: :integer, foreign_key: true ("), std::string::npos)
      << r;
  r = named("rails", "sessions", "owner_id", "people", "id", "bigint");
  EXPECT_NE(r.find("add_reference :sessions, :owner, type: :bigint, foreign_key: { to_table: :people } ("),
            std::string::npos)
      << r;
  r = named("rails", "sessions", "owner", "people", "code");
  EXPECT_NE(r.find("add_column :sessions, :owner, :integer, then add_foreign_key :sessions, :people, column: :owner, "
                   "primary_key: :code;"),
            std::string::npos)
      << r;
  std::string k = named("knex", "orders", "buyerId", "customers", "id");
  EXPECT_NE(k.find("(table.integer('buyerId'))"), std::string::npos) << k;
  EXPECT_NE(k.find("$table->integer('buyerId') (foreignId() would make bigint), then "
                   "$table->foreign('buyerId')->references('id')->on('customers')."),
            std::string::npos)
      << k;
  k = named("laravel", "orders", "buyer_id", "customers", "code", "uuid");
  EXPECT_NE(k.find("$table->foreignUuid('buyer_id')->constrained('customers', 'code')."), std::string::npos) << k;
  k = named("knex", "orders", "code%n", "customers", "id", "character varying(5)");
  EXPECT_NE(k.find("table.string('code%n', 5)"), std::string::npos) << k;
}

// A name is the attacker's: nothing in it ends the literal or interpolates.
TEST(ToolNotes, HostileNamesStayInsideTheirLiterals) {
  EXPECT_EQ(js_string("a'b"), "'a\\'b'");
  EXPECT_EQ(js_string("a\\'); x('"), "'a\\\\\\'); x(\\''");
  EXPECT_EQ(js_string("a\nb\r\x01"), "'a\\nb\\r\\x01'");
  EXPECT_EQ(js_string("${x}"), "'${x}'");
  EXPECT_EQ(js_string("a\xe2\x80\xa8z"), "'a\\u2028z'");
  EXPECT_EQ(js_string(""), "...");
  EXPECT_EQ(php_string("a'b\\"), "'a\\'b\\\\'");
  EXPECT_EQ(php_string("$x{$y}"), "'$x{$y}'");  // single quotes interpolate nothing
  EXPECT_EQ(php_string("a\n$x\"\\"), "\"a\\n\\$x\\\"\\\\\"");
  EXPECT_EQ(ruby_name("user_id"), ":user_id");
  EXPECT_EQ(ruby_name("userId"), ":userId");
  EXPECT_EQ(ruby_name("9lives"), "'9lives'");
  EXPECT_EQ(ruby_name("a b"), "'a b'");
  EXPECT_EQ(ruby_name("#{`rm -rf /`}"), "'#{`rm -rf /`}'");  // single quotes interpolate nothing
  EXPECT_EQ(ruby_name("it's\\"), "'it\\'s\\\\'");
  EXPECT_EQ(ruby_name("a\n#{x}\""), "\"a\\n\\#{x}\\\"\"");
  // In a note: the hostile name appears only in its literal form.
  std::string r = named("rails", "t\"'#{x}", "a'\n_id", "u", "id");
  EXPECT_NE(r.find("add_reference 't\"\\'#{x}', \"a'\\n\", type: :integer, foreign_key: { to_table: :u }"),
            std::string::npos)
      << r;
  EXPECT_EQ(r.find('\n'), std::string::npos) << r;
  std::string k = named("knex", "t", "c');\n//", "u'\\", "i$d");
  EXPECT_NE(k.find("table.integer('c\\');\\n//')"), std::string::npos) << k;
  EXPECT_NE(k.find("$table->foreign(\"c');\\n//\")->references('i$d')->on('u\\'\\\\')."), std::string::npos) << k;
  EXPECT_EQ(k.find('\n'), std::string::npos) << k;
}

}  // namespace
}  // namespace fkg
