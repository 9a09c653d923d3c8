// The sentences and decisions both front ends share (src/core/pair_text.*,
// src/core/key_plan_rules.*): the pair's detail and fix, the implied
// prefix, the no-fix scripts, and the refusals of fix_plan() and
// change_key_type_plan() with their SQLSTATEs.
#include <gtest/gtest.h>

#include <string>

#include "explain_text.hpp"
#include "key_plan_rules.hpp"
#include "pair_text.hpp"

namespace fkg {
namespace {

ColumnType type(const char *display, const char *base, uint32_t oid) {
  ColumnType c;
  c.type_oid = oid;
  c.display = display;
  c.base = base;
  c.base_display = display;
  c.category = 'N';
  return c;
}

TEST(PairText, DetailNamesBothColumnsThenTheVerdict) {
  PairFacts f;
  f.referencing = type("integer", "int4", 23);
  f.referenced = type("bigint", "int8", 20);
  f.opfamily = "integer_ops";
  f.compared_as = "bigint";
  Verdict v = classify(f);
  PairNames n{"public.sessions", "public.sessions", "\"userId\"", "public.users", "public.users", "id", "sessions_fk"};
  RenderedPair r = render_pair_text(n, f, v, Conversion::Assignment);
  EXPECT_EQ(r.referencing_type, "integer");
  EXPECT_EQ(r.detail.rfind("public.sessions.\"userId\" is integer; public.users.id is bigint. ", 0), 0u) << r.detail;
  EXPECT_NE(r.detail.find(v.explanation()), std::string::npos);
  EXPECT_NE(r.suggested_fix.find("ALTER TABLE public.sessions ALTER COLUMN \"userId\" TYPE bigint"), std::string::npos)
      << r.suggested_fix;
  EXPECT_FALSE(r.whole_values);
}

TEST(PairText, ImpliedPrefixNamesTheOtherCandidates) {
  EXPECT_EQ(implied_detail_prefix("public.users", {}),
            "No foreign key is declared; the column's name points at public.users. ");
  EXPECT_EQ(implied_detail_prefix("public.users", {"app.users", "\"Users\""}),
            "No foreign key is declared; the column's name points at public.users. It could also mean app.users, "
            "\"Users\"; check which table is meant. ");
}

TEST(PairText, NoFixScriptsAreCommentsOnly) {
  std::string s = no_fix_for_blockers("view public.v\nDROP TABLE x");
  EXPECT_EQ(s.find("\nDROP"), std::string::npos) << s;  // a name cannot end the comment
  EXPECT_NE(s.find("-- No fix: ALTER COLUMN ... TYPE refuses a column that these use: view public.v\\nDROP TABLE x."),
            std::string::npos)
      << s;
  std::string p = no_fix_plan_script(PlanRefused("0A000", "no fix plan can convert t.c", "Why.", "Do this."));
  EXPECT_NE(p.find("-- No fix plan: no fix plan can convert t.c.\n-- Why.\n-- Do this.\n"), std::string::npos) << p;
}

FixPlanFacts plan_facts() {
  FixPlanFacts f;
  f.table_q = "public.sessions";
  f.column_q = "\"userId\"";
  f.referenced_table_q = "public.users";
  f.referenced_column_q = "id";
  f.source_type = "uuid";
  f.target_type = "integer";
  f.source_base = "uuid";
  f.target_base = "integer";
  f.source_category = 'U';
  f.target_category = 'N';
  f.add = "\"sessions_userId_fkey\"";
  f.conversion = "\"userId\"::text::integer";
  f.guarded_conversion = "\"userId\"::text::integer";
  return f;
}

TEST(FixPlanRules, RefusalsInTheExtensionsOrderWithTheirSqlstates) {
  FixPlanFacts f = plan_facts();
  f.blockers = "view public.v";
  f.not_null = true;
  f.mode = OnUnconvertible::Null;
  try {
    fix_plan_precheck(f);
    FAIL();
  } catch (const PlanRefused &e) {
    EXPECT_EQ(e.sqlstate, "0A000");  // blockers come first
  }
  f.blockers.clear();
  try {
    fix_plan_precheck(f);
    FAIL();
  } catch (const PlanRefused &e) {
    EXPECT_EQ(e.sqlstate, "22023");
    EXPECT_STREQ(e.what(),
                 "on_unconvertible => 'null' needs a nullable column, and public.sessions.\"userId\" is NOT NULL");
  }
  f.not_null = false;
  f.mode = OnUnconvertible::Map;
  EXPECT_TRUE(fix_plan_wants_mapping(f));
  try {
    fix_plan_input(f);
    FAIL();
  } catch (const PlanRefused &e) {
    EXPECT_STREQ(e.what(), "no column of public.users holds the values of public.sessions.\"userId\"");
  }
}

TEST(FixPlanRules, TheScriptComesFromTheWriter) {
  FixPlanFacts f = plan_facts();
  f.counts = PlanCounts{6, 2, 0, 4, 0};
  EXPECT_TRUE(fix_plan_wants_mapping(f));  // values that cannot convert: look for a mapping column
  PlanInput in = fix_plan_input(f);
  EXPECT_EQ(in.conversion, "t.\"userId\"::text::integer");
  std::string plan = finish_fix_plan(in, false);
  EXPECT_EQ(plan.rfind("-- pg_fk_guard fix plan: public.sessions.\"userId\" (uuid) -> public.users.id (integer)\n", 0),
            0u)
      << plan;
  in.mode = OnUnconvertible::Delete;
  in.cascades.push_back(CascadeEffect{"public.a", "a_fk", "CASCADE", 3});
  try {
    finish_fix_plan(in, false);
    FAIL();
  } catch (const PlanRefused &e) {
    EXPECT_EQ(e.detail,
              "Deleting the rows of public.sessions that cannot be kept also changes:\n3 rows of public.a "
              "through a_fk (ON DELETE CASCADE)");
  }
}

KeyPlanFacts key_facts() {
  KeyPlanFacts k;
  k.table = "public.users";
  k.column = "id";
  k.old_type = "integer";
  k.new_type = "uuid";
  k.uuid_target = true;
  k.conversion = Conversion::None;
  k.rows = 10;
  k.size = "8192 bytes";
  return k;
}

TEST(KeyPlanRules, RefusalsAndWhereNewKeysComeFrom) {
  KeyPlanFacts k = key_facts();
  k.same_type = true;
  try {
    key_type_plan_precheck(k);
    FAIL();
  } catch (const PlanRefused &e) {
    EXPECT_STREQ(e.what(), "public.users.id is already uuid");
  }
  k = key_facts();
  k.mode = OnUnconvertible::Map;
  EXPECT_THROW(key_type_plan_precheck(k), PlanRefused);
  k = key_facts();
  k.new_key_expression = "x; DROP TABLE users";
  k.expression_is_one_expression = false;
  try {
    key_type_plan_precheck(k);
    FAIL();
  } catch (const PlanRefused &e) {
    EXPECT_EQ(e.sqlstate, "42601");
  }
  k = key_facts();  // no expression, uuid: gen_random_uuid()
  std::string plan = key_type_plan_from_facts(k);
  EXPECT_NE(plan.find("pg_catalog.gen_random_uuid()"), std::string::npos) << plan;
  k.new_type = "text";
  k.uuid_target = false;
  EXPECT_THROW(key_type_plan_from_facts(k), PlanRefused);
}

TEST(KeyPlanRules, AReferrerThatCannotFollowIsRefused) {
  KeyPlanFacts k = key_facts();
  k.new_type = "bigint";
  k.uuid_target = false;
  k.integer_target = true;
  k.conversion = Conversion::Assignment;
  KeyPlanReferrerFacts r;
  r.table = "public.posts";
  r.column = "author_id";
  r.constraint = "posts_author_id_fkey";
  r.definition = "FOREIGN KEY (author_id) REFERENCES public.users(id)";
  r.source_type = "uuid";
  r.conversion = Conversion::None;
  k.referrers.push_back(r);
  try {
    key_type_plan_from_facts(k);
    FAIL();
  } catch (const PlanRefused &e) {
    EXPECT_EQ(e.sqlstate, "42846");
    EXPECT_STREQ(e.what(), "no cast turns public.posts.author_id (uuid) into bigint");
  }
  k.referrers[0].conversion = Conversion::Assignment;
  k.online.enabled = true;
  k.referrers[0].key_columns = 2;
  try {
    key_type_plan_from_facts(k);
    FAIL();
  } catch (const PlanRefused &e) {
    EXPECT_STREQ(e.what(), "online mode cannot change public.posts.author_id");
  }
}

TEST(ExplainText, EffectsOfThePlansOnTheData) {
  ExplainCounts none{3, 3, 0, 0, true};
  EXPECT_EQ(fix_effect_text(none, OnUnconvertible::Fail, "public.s.u", "public.s", "integer", "public.users.id",
                            "public.users", "", false),
            "On this data: public.s holds no value in public.s.u (every row NULL or none), so the conversion loses "
            "nothing and the foreign key has nothing to check.");
  ExplainCounts lost{6, 2, 1, 2, true};
  std::string e = fix_effect_text(lost, OnUnconvertible::Fail, "public.s.u", "public.s", "integer", "public.users.id",
                                  "public.users", "public.users.legacy_uuid", true);
  EXPECT_NE(e.find("because 1 value cannot become integer and 2 values match no key of public.users.id"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("deleted (3 rows of 6 rows); with 'map' they are looked up through public.users.legacy_uuid."),
            std::string::npos)
      << e;
  ExplainCounts clean{4, 0, 0, 0, true};
  EXPECT_NE(
      fix_effect_text(clean, OnUnconvertible::Fail, "c", "t", "bigint", "k", "r", "", true)
          .find("converts all 4 values of c to bigint, each of which matches a key of k, and PostgreSQL rebuilds"),
      std::string::npos);
  EXPECT_EQ(key_plan_call("public.users", "id", "uuid", "r.legacy_uuid"),
            "SELECT fk_guard.change_key_type_plan('public.users', 'id', 'uuid', new_key_expression => "
            "'r.legacy_uuid');");
  EXPECT_EQ(key_effect_text("public.users.id", "bigint", true, "public.users", "", 4, "public.s.u", true),
            "On this data: public.users.id becomes bigint, with every column that references it by a foreign key; "
            "each key keeps its value, converted.");
  EXPECT_EQ(plan_refused_text("no plan", ""), "no plan");
  EXPECT_EQ(plan_refused_text("no plan", "Why."), "no plan: Why.");
}

}  // namespace
}  // namespace fkg
