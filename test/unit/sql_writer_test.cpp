// Unit tests for the one SQL writer: identifiers, literals, comments and
// dollar quotes that no name can break out of.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "sql_writer.hpp"

namespace fkg::sql {
namespace {

TEST(SqlWriter, QuotesEveryRawName) {
  EXPECT_EQ(Ident::quote("users").str(), "\"users\"");
  EXPECT_EQ(Ident::quote("a\"b").str(), "\"a\"\"b\"");
  EXPECT_EQ(Ident::qualified("s", "t\nx").str(), "\"s\".\"t\nx\"");
}

TEST(SqlWriter, ChecksQuotedIdentifierChains) {
  EXPECT_TRUE(is_quoted_identifier_chain("public.users"));
  EXPECT_TRUE(is_quoted_identifier_chain("\"userId\""));
  EXPECT_TRUE(is_quoted_identifier_chain("\"a\"\"b\".c$1"));
  EXPECT_FALSE(is_quoted_identifier_chain("users; DROP TABLE x"));
  EXPECT_FALSE(is_quoted_identifier_chain("\"a\"b\""));
  EXPECT_FALSE(is_quoted_identifier_chain("a..b"));
  EXPECT_FALSE(is_quoted_identifier_chain("\"\""));
  EXPECT_FALSE(is_quoted_identifier_chain("Users"));
  EXPECT_FALSE(is_quoted_identifier_chain("a."));
  EXPECT_THROW(Ident::checked("x y"), std::invalid_argument);
}

TEST(SqlWriter, LiteralsMeanTheSameUnderEitherStringSetting) {
  EXPECT_EQ(literal("customer's orders"), "'customer''s orders'");
  EXPECT_EQ(literal("a\\b'"), "E'a\\\\b'''");
  EXPECT_EQ(literal(""), "''");
  EXPECT_THROW(literal(std::string("a\0b", 3)), std::invalid_argument);
}

TEST(SqlWriter, CommentsNeverBreakALine) {
  EXPECT_EQ(comment("a\nb\rc\td"), "-- a\\nb\\rc\\td\n");
  EXPECT_EQ(comment_safe("x\u2028y\u202Ez\u200B"), "x\\u{2028}y\\u{202E}z\\u{200B}");
  EXPECT_EQ(comment_safe("caf\u00e9 \u65e5\u672c"), "caf\u00e9 \u65e5\u672c");
  EXPECT_EQ(comment_safe("\xff\xc3"), "\\x{FF}\\x{C3}");
  EXPECT_EQ(comment_safe("\xc0\x8a"), "\\x{C0}\\x{8A}");  // overlong newline
  EXPECT_EQ(comment_safe("a\\nb"), "a\\\\nb");
  EXPECT_EQ(comment_safe("Convert t.c to text.\tThen \\ \u2028 and caf\u00e9."),
            "Convert t.c to text.\\tThen \\\\ \\u{2028} and caf\u00e9.");
  EXPECT_EQ(comment_safe(std::string("\x85", 1)), "\\x{85}");
  EXPECT_EQ(comment_safe("\xc2\x85"), "\\u{0085}");
}

TEST(SqlWriter, DollarQuotesPickAFreeTag) {
  EXPECT_EQ(dollar_quoted("SELECT 1"), "$fk_guard$SELECT 1$fk_guard$");
  EXPECT_EQ(dollar_quoted("x $fk_guard$ y"), "$fk_guard_1$x $fk_guard$ y$fk_guard_1$");
  // A body ending in part of the tag must not run into the closing tag.
  std::string q = dollar_quoted("a$fk_guard");
  EXPECT_EQ(q.substr(q.size() - 10 - 2), "$fk_guard_1$");
  EXPECT_EQ(dollar_quoted("a$"), "$fk_guard$a$$fk_guard$");
  // Every tag taken (the base and _1 ... _1000): no quote rather than a wrong one.
  std::string all = "$t$";
  for (int n = 1; n <= 1000; n++) all += " $t_" + std::to_string(n) + "$";
  EXPECT_THROW(dollar_quoted(all, "t"), std::logic_error);
  EXPECT_EQ(dollar_quoted(all.substr(0, all.rfind(" $t_1000$")), "t").substr(0, 8), "$t_1000$");
}

TEST(SqlWriter, ScriptsAnnounceTheirStatements) {
  Script s;
  s.header("plan for \"t\nDROP ROLE x\"");
  s.add({"SET", "SET lock_timeout = '5s'", "", "", ""});
  s.add({"ALTER TABLE", "ALTER TABLE t ALTER COLUMN c TYPE bigint", "convert", "ACCESS EXCLUSIVE on t", "t"});
  std::string out = s.render();
  EXPECT_NE(out.find("-- Statements: SET, ALTER TABLE\n"), std::string::npos) << out;
  EXPECT_NE(out.find("-- Step 2 (ALTER TABLE): lock ACCESS EXCLUSIVE on t; rewrites t\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("\nDROP ROLE"), std::string::npos) << out;
  Script none;
  EXPECT_NE(none.render().find("-- Statements: (none)"), std::string::npos);
}

}  // namespace
}  // namespace fkg::sql
