// The key type plan writer: statement order, and scripts that parse to
// exactly what they announce for names from a hostile alphabet (PostgreSQL
// 15's own parser, libpg_query).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "hostile.hpp"
#include "key_plan.hpp"
#include "pg_parse.hpp"
#include "sql_writer.hpp"

namespace fkg {
namespace {

using sql::Ident;
using testing::Hostile;

KeyPlanInput users_to(const std::string &type, Conversion c) {
  KeyPlanInput in;
  in.table = Ident::qualified("public", "users");
  in.column = Ident::quote("id");
  in.old_type = "integer";
  in.new_type = type;
  in.conversion = c;
  KeyReferrer posts;
  posts.table = Ident::qualified("public", "posts");
  posts.column = Ident::quote("author_id");
  posts.source_type = "integer";
  posts.conversion = c;
  posts.constraint = Ident::quote("posts_author_id_fkey");
  posts.definition = "FOREIGN KEY (author_id) REFERENCES public.users(id) ON DELETE CASCADE";
  in.referrers.push_back(posts);
  KeyReferrer self = posts;
  self.table = in.table;
  self.column = Ident::quote("manager_id");
  self.constraint = Ident::quote("users_manager_id_fkey");
  self.definition = "FOREIGN KEY (manager_id) REFERENCES public.users(id)";
  self.same_table = true;
  in.referrers.push_back(self);
  return in;
}

std::vector<std::string> statement_lines(const std::string &script) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < script.size()) {
    size_t end = script.find('\n', pos);
    std::string line = script.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (line.rfind("--", 0) != 0 && !line.empty()) out.push_back(line);
    pos = end == std::string::npos ? script.size() : end + 1;
  }
  return out;
}

TEST(KeyPlan, WithACastDropsConvertsEachTableOnceAndAddsBack) {
  KeyPlanInput in = users_to("bigint", Conversion::Assignment);
  in.owned_sequence = Ident::qualified("public", "users_id_seq");
  std::string s = write_key_type_plan(in);
  std::vector<std::string> expected = {
      "SET lock_timeout = '5s';",
      "ALTER TABLE \"public\".\"posts\" DROP CONSTRAINT \"posts_author_id_fkey\";",
      "ALTER TABLE \"public\".\"users\" DROP CONSTRAINT \"users_manager_id_fkey\";",
      "ALTER TABLE \"public\".\"users\" ALTER COLUMN \"id\" TYPE bigint, ALTER COLUMN \"manager_id\" TYPE bigint;",
      "ALTER TABLE \"public\".\"posts\" ALTER COLUMN \"author_id\" TYPE bigint;",
      "ALTER SEQUENCE \"public\".\"users_id_seq\" AS bigint;",
      "ALTER TABLE \"public\".\"posts\" ADD CONSTRAINT \"posts_author_id_fkey\" FOREIGN KEY (author_id) REFERENCES "
      "public.users(id) ON DELETE CASCADE NOT VALID;",
      "ALTER TABLE \"public\".\"users\" ADD CONSTRAINT \"users_manager_id_fkey\" FOREIGN KEY (manager_id) "
      "REFERENCES public.users(id) NOT VALID;",
      "ALTER TABLE \"public\".\"posts\" VALIDATE CONSTRAINT \"posts_author_id_fkey\";",
      "ALTER TABLE \"public\".\"users\" VALIDATE CONSTRAINT \"users_manager_id_fkey\";",
      "RESET lock_timeout;",
  };
  EXPECT_EQ(statement_lines(s), expected) << s;
  EXPECT_EQ(testing::check_script(s), "") << s;
}

TEST(KeyPlan, WithoutACastMapsEveryReferenceThroughTheNewKeys) {
  KeyPlanInput in = users_to("uuid", Conversion::None);
  in.new_key_expression = "pg_catalog.gen_random_uuid()";
  in.new_default = true;
  in.current_default = "nextval('users_id_seq'::regclass)";
  in.owned_sequence = Ident::qualified("public", "users_id_seq");
  std::string s = write_key_type_plan(in);
  EXPECT_EQ(testing::check_script(s), "") << s;
  EXPECT_NE(s.find("INSERT INTO pg_temp.fk_guard_keymap (old, new) SELECT r.\"id\", (pg_catalog.gen_random_uuid()) "
                   "FROM \"public\".\"users\" r"),
            std::string::npos)
      << s;
  EXPECT_NE(
      s.find("ALTER TABLE \"public\".\"users\" ALTER COLUMN \"id\" DROP DEFAULT, ALTER COLUMN \"id\" TYPE uuid "
             "USING pg_temp.fk_guard_key(\"id\"), ALTER COLUMN \"id\" SET DEFAULT (pg_catalog.gen_random_uuid()), "
             "ALTER COLUMN \"manager_id\" TYPE uuid USING pg_temp.fk_guard_key(\"manager_id\")"),
      std::string::npos)
      << s;
  // The sequence is not made uuid; it is announced as left unused.
  EXPECT_EQ(s.find("ALTER SEQUENCE"), std::string::npos);
  EXPECT_NE(s.find("is left in place, unused"), std::string::npos);
  // Fail is the default: a DO block per referencing column stops before anything changes.
  EXPECT_LT(s.find("DO $"), s.find("DROP CONSTRAINT"));
}

TEST(KeyPlan, NotValidKeysStayNotValid) {
  KeyPlanInput in = users_to("bigint", Conversion::Assignment);
  in.referrers.resize(1);
  in.referrers[0].not_valid = true;
  in.referrers[0].definition += " NOT VALID";
  std::string s = write_key_type_plan(in);
  EXPECT_EQ(s.find("VALIDATE CONSTRAINT"), std::string::npos) << s;
  EXPECT_EQ(s.find("NOT VALID NOT VALID"), std::string::npos) << s;
}

uint64_t seed() {
  const char *s = std::getenv("FKG_PROPTEST_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 20261130;
}

TEST(KeyPlanProperty, HostileNamesParseToExactlyTheAnnouncedStatements) {
  Hostile h(seed());
  for (int i = 0; i < 300; i++) {
    bool mapped = h.chance(50);
    KeyPlanInput in = users_to(mapped ? "uuid" : "bigint", mapped ? Conversion::None : Conversion::Explicit);
    in.table = Ident::qualified(h.name(), h.name());
    in.column = Ident::quote(h.name());
    in.new_key_expression = "pg_catalog.gen_random_uuid()";
    in.current_default = h.name();
    in.notes.push_back(h.name());
    in.mode = h.chance(33) ? OnUnconvertible::Null : h.chance(50) ? OnUnconvertible::Delete : OnUnconvertible::Fail;
    if (h.chance(50)) in.owned_sequence = Ident::qualified(h.name(), h.name());
    for (KeyReferrer &r : in.referrers) {
      r.table = r.same_table ? in.table : Ident::qualified(h.name(), h.name());
      r.column = Ident::quote(h.name());
      r.constraint = Ident::quote(h.name());
      r.source_type = "integer";
      r.size = h.name();
      r.definition = "FOREIGN KEY (" + Ident::quote(h.name()).str() + ") REFERENCES " + in.table.str() + "(" +
                     in.column.str() + ")";
    }
    std::string s = write_key_type_plan(in);
    std::string why = testing::check_script(s);
    ASSERT_EQ(why, "") << "case " << i << ":\n" << s;
  }
}

}  // namespace
}  // namespace fkg
