// Property tests for the one SQL writer against PostgreSQL 15's own parser
// (libpg_query): over thousands of names and texts from a hostile alphabet,
// a literal parses to exactly its value (with standard_conforming_strings on
// and off), an identifier to exactly its name, a comment ends where it should,
// a dollar quote holds exactly its body, and a rendered script parses to
// exactly the statements its "-- Statements:" line announces.
// Deterministic: FKG_PROPTEST_SEED chooses the seed (default 20261130),
// FKG_PROPTEST_CASES the number of cases per property (default 3000).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "hostile.hpp"
#include "pg_parse.hpp"
#include "sql_writer.hpp"

namespace fkg::sql {
namespace {

using testing::Hostile;
using testing::Parsed;

uint64_t seed() {
  const char *s = std::getenv("FKG_PROPTEST_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 20261130;
}

int cases() {
  const char *s = std::getenv("FKG_PROPTEST_CASES");
  return s ? std::atoi(s) : 3000;
}

// Printable form of a failing input.
std::string show(const std::string &s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += (char)c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02X", c);
      out += buf;
    }
  }
  return out;
}

const testing::Json &select_value(const Parsed &p) {
  return p.statements.at(0).tree.at("targetList").items.at(0).at("ResTarget").at("val");
}

// The string an A_Const holds (libpg_query leaves an empty one out).
std::string const_string(const testing::Json &v) { return v.at("A_Const").at("sval").at("sval").text; }

TEST(SqlWriterProperty, LiteralsParseToExactlyTheirValue) {
  Hostile h(seed());
  int failures = 0;
  for (int i = 0; i < cases() && failures < 5; i++) {
    std::string x = i == 0 ? std::string() : h.chance(50) ? h.name() : h.text();
    std::string lit = literal(x);
    for (bool scs : {true, false}) {
      Parsed p = testing::parse("SELECT " + lit, scs);
      bool ok = p.ok && p.statements.size() == 1 && p.statements[0].node == "SelectStmt" &&
                select_value(p).get("A_Const") && const_string(select_value(p)) == x;
      if (!ok) {
        failures++;
        ADD_FAILURE() << "literal of " << show(x) << " is " << show(lit)
                      << " (standard_conforming_strings=" << (scs ? "on" : "off")
                      << "): " << (p.ok ? "parses to something else" : p.error);
      }
    }
    // And as a RAISE message inside a PL/pgSQL block.
    std::string body = "BEGIN RAISE EXCEPTION USING MESSAGE = " + lit + ", HINT = " + lit + "; END";
    std::string err = testing::plpgsql_error(body);
    if (!err.empty()) {
      failures++;
      ADD_FAILURE() << "literal " << show(lit) << " in RAISE ... USING: " << err;
    }
  }
}

TEST(SqlWriterProperty, IdentifiersParseToExactlyTheirName) {
  Hostile h(seed() + 1);
  int failures = 0;
  for (int i = 0; i < cases() && failures < 5; i++) {
    std::string x = h.name(), s = h.name();
    if (i % 7 == 0) s = x;  // same name in both places
    Ident id = Ident::quote(x);
    Parsed p = testing::parse("SELECT 1 AS " + id.str());
    bool ok = p.ok && p.statements.size() == 1 &&
              p.statements[0].tree.at("targetList").items.at(0).at("ResTarget").at("name").text == x;
    Ident q = Ident::qualified(s, x);
    Parsed r = testing::parse("SELECT * FROM " + q.str());
    const testing::Json *rv = nullptr;
    if (r.ok && r.statements.size() == 1) rv = &r.statements[0].tree.at("fromClause").items.at(0).at("RangeVar");
    bool ok2 = rv && rv->at("schemaname").text == s && rv->at("relname").text == x;
    bool ok3 = Ident::checked(id.str()).str() == id.str() && Ident::checked(q.str()).str() == q.str();
    if (!ok || !ok2 || !ok3) {
      failures++;
      ADD_FAILURE() << "name " << show(x) << " (schema " << show(s) << "): " << show(id.str()) << " / " << show(q.str())
                    << " " << (p.ok ? "" : p.error) << (r.ok ? "" : r.error);
    }
  }
}

TEST(SqlWriterProperty, NamesDifferingOnlyInCaseStayApart) {
  for (std::string n : {"users", "Users", "USERS", "uSeRs", "select", "SELECT", "Select", "user", "User"}) {
    Parsed p = testing::parse("SELECT 1 AS " + Ident::quote(n).str());
    ASSERT_TRUE(p.ok) << n;
    EXPECT_EQ(p.statements[0].tree.at("targetList").items.at(0).at("ResTarget").at("name").text, n);
  }
}

TEST(SqlWriterProperty, CommentsEndAtTheirLine) {
  Hostile h(seed() + 2);
  int failures = 0;
  for (int i = 0; i < cases() && failures < 5; i++) {
    std::string x = h.text(300, /*bytes=*/h.chance(30));
    std::string c = comment(x);
    std::string safe = comment_safe(x);
    bool one_line = safe.find('\n') == std::string::npos && safe.find('\r') == std::string::npos &&
                    c.size() == safe.size() + 4 && c.back() == '\n';
    Parsed p = testing::parse(c + "SELECT 1");
    Parsed q = testing::parse("SELECT 1;\n" + c + "SELECT 2;\n" + c);
    bool ok = p.ok && p.statements.size() == 1 && p.statements[0].node == "SelectStmt";
    bool ok2 = q.ok && q.statements.size() == 2 && select_value(q).at("A_Const").at("ival").at("ival").text == "1";
    // Inside a PL/pgSQL body too.
    std::string err = testing::plpgsql_error("BEGIN\n" + c + "PERFORM 1;\nEND");
    if (!one_line || !ok || !ok2 || !err.empty()) {
      failures++;
      ADD_FAILURE() << "comment of " << show(x) << " is " << show(c) << " " << (p.ok ? "" : p.error)
                    << (q.ok ? "" : q.error) << err;
    }
  }
}

TEST(SqlWriterProperty, DollarQuotesHoldExactlyTheirBody) {
  Hostile h(seed() + 3);
  int failures = 0;
  for (int i = 0; i < cases() && failures < 5; i++) {
    std::string body = h.text();
    // Bodies that end in part of a tag, or hold the next tags too.
    if (h.chance(20)) body += h.chance(50) ? "$fk_guard" : "$fk_guard_";
    if (h.chance(10)) body += "$fk_guard$$fk_guard_1$$fk_guard_2$";
    std::string base = h.chance(80) ? "fk_guard" : "x";
    std::string q = dollar_quoted(body, base);
    Parsed p = testing::parse("DO " + q);
    bool ok = p.ok && p.statements.size() == 1 && p.statements[0].is_do && p.statements[0].do_body == body;
    Parsed lang = testing::parse("DO LANGUAGE plpgsql " + q + ";\nSELECT 1");
    bool ok2 = lang.ok && lang.statements.size() == 2 && lang.statements[0].do_body == body;
    if (!ok || !ok2) {
      failures++;
      ADD_FAILURE() << "body " << show(body) << " quoted as " << show(q) << ": " << (p.ok ? "" : p.error);
    }
  }
}

// Statements a plan may hold, built from hostile names through the writer.
struct Built {
  Statement st;
  bool plpgsql = false;
};

Built random_statement(Hostile &h) {
  Ident t = Ident::qualified(h.name(), h.name()), r = Ident::qualified(h.name(), h.name());
  Ident c = Ident::quote(h.name()), rc = Ident::quote(h.name()), k = Ident::quote(h.name());
  Ident f = Ident::qualified("pg_temp", h.name());
  std::string l = literal(h.name()), l2 = literal(h.text(200));
  Built b;
  b.st.what = h.chance(80) ? h.text(200, h.chance(20)) : "";
  b.st.lock = h.chance(50) ? "ACCESS EXCLUSIVE on " + h.name() : "";
  b.st.rewrites = h.chance(30) ? h.name() : "";
  switch (h.next(15)) {
    case 0:
      b.st.tag = "SET";
      b.st.sql = "SET lock_timeout = " + literal("5s");
      break;
    case 1:
      b.st.tag = "SET";
      b.st.sql = "SET search_path = pg_catalog, pg_temp";
      break;
    case 2:
      b.st.tag = "RESET";
      b.st.sql = "RESET lock_timeout";
      break;
    case 3:
      b.st.tag = "ALTER TABLE";
      b.st.sql = "ALTER TABLE " + t.str() + " ALTER COLUMN " + c.str() + " TYPE integer USING " + f.str() + "(" +
                 c.str() + ")";
      break;
    case 4:
      b.st.tag = "ALTER TABLE";
      b.st.sql = "ALTER TABLE " + t.str() + " ADD CONSTRAINT " + k.str() + " FOREIGN KEY (" + c.str() +
                 ") REFERENCES " + r.str() + " (" + rc.str() +
                 ") MATCH FULL ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED NOT VALID";
      break;
    case 5:
      b.st.tag = "ALTER TABLE";
      b.st.sql = "ALTER TABLE " + t.str() + " VALIDATE CONSTRAINT " + k.str();
      break;
    case 6:
      b.st.tag = "ALTER TABLE";
      b.st.sql = "ALTER TABLE " + t.str() + " ALTER COLUMN " + c.str() + " DROP DEFAULT";
      break;
    case 7:
      b.st.tag = "UPDATE";
      b.st.sql = "UPDATE " + t.str() + " SET " + c.str() + " = NULL WHERE " + c.str() + " = " + l;
      break;
    case 8:
      b.st.tag = "DELETE";
      b.st.sql = "DELETE FROM " + t.str() + " WHERE " + c.str() + " IN (" + l + ", " + l2 + ")";
      break;
    case 9: {
      std::string body = "\nBEGIN\n  " + comment(h.text(100)) + "  IF EXISTS (SELECT 1 FROM " + t.str() + " WHERE " +
                         c.str() + " = " + l + ") THEN\n    RAISE EXCEPTION USING MESSAGE = " + l2 +
                         ", HINT = " + literal(h.text(100)) + ";\n  END IF;\nEND\n";
      b.st.tag = "DO";
      b.st.sql = "DO " + dollar_quoted(body);
      b.plpgsql = true;
      break;
    }
    case 10:
      b.st.tag = "CREATE FUNCTION";
      b.st.sql = "CREATE FUNCTION " + f.str() + "(v text) RETURNS integer LANGUAGE sql STABLE AS " +
                 dollar_quoted("SELECT r." + rc.str() + " FROM " + r.str() + " r WHERE r." + c.str() + "::text = v");
      break;
    case 11:
      b.st.tag = "DROP FUNCTION";
      b.st.sql = "DROP FUNCTION " + f.str() + "(text)";
      break;
    case 12:
      b.st.tag = "COMMENT";
      b.st.sql = "COMMENT ON COLUMN " + t.str() + "." + c.str() + " IS " + l2;
      break;
    case 13:
      b.st.tag = "LOCK TABLE";
      b.st.sql = "LOCK TABLE " + t.str() + " IN SHARE ROW EXCLUSIVE MODE";
      break;
    default:
      b.st.tag = "ALTER TABLE";
      b.st.sql = "ALTER TABLE " + t.str() + " ALTER COLUMN " + c.str() + " SET DEFAULT " + l;
      break;
  }
  return b;
}

std::string check_script(const std::string &script, const std::vector<Statement> *expected) {
  if (!expected) return testing::check_script(script, nullptr);
  std::vector<std::string> sqls;
  for (const Statement &st : *expected) sqls.push_back(st.sql);
  return testing::check_script(script, &sqls);
}

TEST(SqlWriterProperty, ScriptsParseToExactlyWhatTheyAnnounce) {
  Hostile h(seed() + 4);
  int failures = 0;
  int n = cases();
  for (int i = 0; i < n && failures < 5; i++) {
    Script s;
    int headers = (int)h.next(4);
    for (int k = 0; k < headers; k++) s.header(h.text(200, h.chance(20)));
    int count = i == 0 ? 0 : 1 + (int)h.next(8);
    for (int k = 0; k < count; k++) s.add(random_statement(h).st);
    std::string out = s.render(h.chance(70));
    std::string why = check_script(out, &s.statements());
    if (!why.empty()) {
      failures++;
      ADD_FAILURE() << why << "\n" << show(out);
    }
  }
}

// The harness itself: a script that holds more than it announces is caught.
TEST(SqlWriterProperty, TheCheckCatchesAScriptThatLies) {
  Script s;
  s.add({"SELECT", "SELECT 1; ALTER ROLE x SUPERUSER", "", "", ""});
  EXPECT_NE(check_script(s.render(), nullptr), "");
  Script t;
  t.add({"ALTER TABLE", "ALTER TABLE a ALTER COLUMN b TYPE integer", "", "", ""});
  EXPECT_EQ(check_script(t.render(), nullptr), "");
  EXPECT_NE(check_script(t.render() + "-- Statements: DO\n", nullptr), "");
  EXPECT_NE(check_script("-- Statements: DO\nDO $$ BEGIN RAISE EXCEPTION 'a % b'; END $$;", nullptr), "");
  EXPECT_NE(check_script("-- Statements: SET\nSET a = 1; -- x\nRESET a;", nullptr), "");
}

}  // namespace
}  // namespace fkg::sql
