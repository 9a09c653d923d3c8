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

TEST(ToolNotes, KnexAndLaravelShareAShape) {
  EXPECT_EQ(tool_of("alter table \"sessions\" add constraint \"sessions_userid_foreign\" foreign key (\"userId\") "
                    "references \"users\" (\"id\")",
                    "sessions_userid_foreign"),
            "knex or Laravel");
  EXPECT_EQ(tool_of("alter table \"sessions\" add constraint \"sessions_user_id_foreign\" foreign key (\"user_id\") "
                    "references \"users\" (\"id\")",
                    "sessions_user_id_foreign"),
            "knex or Laravel");
}

TEST(ToolNotes, NodePgMigrate) {
  EXPECT_EQ(tool_of("ALTER TABLE \"sessions\"\n  ADD CONSTRAINT \"sessions_fk_userId\" FOREIGN KEY (\"userId\") "
                    "REFERENCES \"users\";",
                    "sessions_fk_userId"),
            "node-pg-migrate");
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
  // Alembic and Ecto send PostgreSQL's default names in plain SQL: they cannot be told apart from it.
  EXPECT_EQ(tool_of("ALTER TABLE sessions ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY(user_id) REFERENCES "
                    "users (id)",
                    "sessions_user_id_fkey"),
            "");
  EXPECT_EQ(std::string(generic_tool_note()).find("Sequelize"), std::string::npos);
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

TEST(CastToolNotes, AnotherColumnsCastIsNoToolShape) {
  // knex's shape casts the column being altered; a cast of another column is not it.
  EXPECT_EQ(cast_tool_of("alter table \"sessions\" alter column \"userId\" type integer using (\"other\"::integer)"),
            "");
  EXPECT_EQ(cast_tool_of("ALTER TABLE sessions ALTER COLUMN \"userId\" TYPE integer"), "");
  EXPECT_EQ(cast_tool_of("ALTER TABLE sessions ALTER COLUMN \"userId\" TYPE integer", "rails 6.1"), "Rails");
}

}  // namespace
}  // namespace fkg
