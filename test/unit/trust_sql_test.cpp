// The SQL that finds code of another role (trust_sql.hpp): one walk for the
// fix scripts' stand-in for fk_guard.converts() and for pg-fk-guard's
// profile, every catalog object schema-qualified.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "fix_writer.hpp"
#include "trust_sql.hpp"

namespace fkg {
namespace {

// Every pg_* name but pg_catalog, pg_temp and the product's own follows
// "pg_catalog.", and so does every built-in function it calls: a query run
// with the caller's search_path cannot be pointed at a look-alike.
void expect_qualified(const std::string &sql) {
  static const std::regex name("\\bpg_[a-z_]+\\b");
  const std::string schema = "pg_catalog.";
  int names = 0;
  for (auto it = std::sregex_iterator(sql.begin(), sql.end(), name); it != std::sregex_iterator(); ++it) {
    const std::string word = it->str();
    if (word == "pg_catalog" || word == "pg_temp" || word == "pg_fk_guard") continue;
    names++;
    const size_t at = (size_t)it->position();
    EXPECT_TRUE(at >= schema.size() && sql.compare(at - schema.size(), schema.size(), schema) == 0)
        << word << " at " << at << " in:\n"
        << sql;
  }
  EXPECT_GE(names, 5);
  // The built-in functions it calls too: an exact-type look-alike on the
  // path would win over pg_catalog's polymorphic one.
  static const std::regex call("\\b(format|format_type|quote_ident|array_to_string|unnest)\\s*\\(");
  for (auto it = std::sregex_iterator(sql.begin(), sql.end(), call); it != std::sregex_iterator(); ++it) {
    const size_t at = (size_t)it->position();
    EXPECT_TRUE(at >= schema.size() && sql.compare(at - schema.size(), schema.size(), schema) == 0)
        << it->str() << " at " << at << " in:\n"
        << sql;
  }
}

TEST(TrustSql, CatalogNamesAreQualified) {
  expect_qualified(trust_sql::type_io_reason());
  expect_qualified(trust_sql::cast_reason());
  expect_qualified(converts_helper_sql());
}

TEST(TrustSql, TheStandInWalksWhatTheProfileWalks) {
  // The stand-in starts from the value's base type and the target, the
  // profile's query from one type; the walk and the code each type runs are
  // the same text, and so is the choice of the first untrusted function.
  const std::string one = trust_sql::code_ctes("($1::pg_catalog.oid, 1)", "");
  const std::string walk = one.substr(one.find(") s(t, n)"));
  const std::string h = converts_helper_sql();
  EXPECT_NE(h.find(walk.substr(0, walk.size() - 2)), std::string::npos);
  EXPECT_NE(h.find(trust_sql::first_untrusted("why")), std::string::npos);
  EXPECT_NE(h.find("(VALUES (source, 1), (target::pg_catalog.oid, 2)) s(t, n)"), std::string::npos);
  EXPECT_NE(trust_sql::type_io_reason().find(trust_sql::first_untrusted("")), std::string::npos);
}

TEST(TrustSql, ParametersOnly) {
  // The queries take their types as parameters; nothing is spliced in.
  const std::string io = trust_sql::type_io_reason(), cast = trust_sql::cast_reason();
  EXPECT_NE(io.find("$1"), std::string::npos);
  EXPECT_EQ(io.find("$2"), std::string::npos);
  EXPECT_NE(cast.find("$2"), std::string::npos);
  EXPECT_EQ(cast.find("$3"), std::string::npos);
  EXPECT_NE(io.find("k.fn >= 16384 AND NOT r.rolsuper AND r.rolname <> CURRENT_USER"), std::string::npos);
  EXPECT_NE(io.find("ORDER BY k.ord LIMIT 1"), std::string::npos);
}

TEST(TrustSql, TheGuardTrustsNotTheCaller) {
  // The guard's variant (trust_caller false) reports the caller's own code
  // too: the same queries without the CURRENT_USER exception.
  for (const std::string &q : {trust_sql::type_io_reason(false), trust_sql::cast_reason(false)}) {
    EXPECT_EQ(q.find("CURRENT_USER"), std::string::npos) << q;
    EXPECT_NE(q.find("k.fn >= 16384 AND NOT r.rolsuper\n   ORDER BY k.ord LIMIT 1"), std::string::npos) << q;
  }
  EXPECT_NE(trust_sql::cast_reason(true).find("r.rolname <> CURRENT_USER"), std::string::npos);
  const std::string with_caller = trust_sql::type_io_reason();
  EXPECT_EQ(trust_sql::type_io_reason(false),
            with_caller.substr(0, with_caller.find(" AND r.rolname <> CURRENT_USER")) + "\n   ORDER BY k.ord LIMIT 1");
}

}  // namespace
}  // namespace fkg
