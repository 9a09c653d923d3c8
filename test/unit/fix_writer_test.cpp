// Unit tests for the fix writer: exact SQL text for known pairs.
#include <gtest/gtest.h>

#include "fix_writer.hpp"

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
            "SET lock_timeout = '5s';\n"
            "-- Convert public.sessions.\"userId\" to bigint (rewrites public.sessions and re-checks "
            "\"sessions_userId_fkey\").\n"
            "ALTER TABLE public.sessions ALTER COLUMN \"userId\" TYPE bigint;\n"
            "RESET lock_timeout;");
}

TEST(FixWriter, UsesUsingWhenOnlyAnExplicitCastExists) {
  std::string fix = write_type_fix(sessions_to("integer", Conversion::Explicit), verdict_of(Kind::Width));
  EXPECT_NE(fix.find("TYPE integer USING \"userId\"::integer;"), std::string::npos) << fix;
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
  in.table = "public.sessions";
  in.column = "\"userId\"";
  in.source_type = "uuid";
  in.referenced_table = "public.users";
  in.referenced_column = "id";
  in.target_type = "integer";
  in.conversion = "\"userId\"::text::integer";
  in.constraint = "\"sessions_userId_fkey\"";
  in.converts_function = "fk_guard.converts";
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
  in.drop_constraints = {"\"old_fkey\""};
  std::string s = write_fix_plan(in);
  size_t lock = at(s, "SET lock_timeout");
  size_t stop = at(s, "RAISE EXCEPTION");
  size_t drop = at(s, "DROP CONSTRAINT \"old_fkey\"");
  size_t convert = at(s, "ALTER COLUMN \"userId\" TYPE integer USING \"userId\"::text::integer");
  size_t add = at(s, "FOREIGN KEY (\"userId\") REFERENCES public.users (id) NOT VALID");
  size_t validate = at(s, "VALIDATE CONSTRAINT \"sessions_userId_fkey\"");
  EXPECT_LT(lock, stop);
  EXPECT_LT(stop, drop);
  EXPECT_LT(drop, convert);
  EXPECT_LT(convert, add);
  EXPECT_LT(add, validate);
  at(s, "6 rows cannot convert");
}

TEST(FixPlan, NullAndDeleteTouchOnlyRowsThatWouldBreak) {
  std::string n = write_fix_plan(story_plan(OnUnconvertible::Null));
  at(n, "UPDATE public.sessions SET \"userId\" = NULL WHERE \"userId\" IS NOT NULL AND NOT EXISTS");
  at(n, "CASE WHEN fk_guard.converts(\"userId\", 'integer') THEN \"userId\"::text::integer END");
  std::string d = write_fix_plan(story_plan(OnUnconvertible::Delete));
  at(d, "DELETE FROM public.sessions WHERE \"userId\" IS NOT NULL AND NOT EXISTS");
  EXPECT_EQ(d.find("RAISE EXCEPTION"), std::string::npos);
}

TEST(FixPlan, MapSwapsColumnsAndStopsOnUnmatchedValues) {
  PlanMapping m{"legacy_uuid", 6, 6};
  PlanInput in = story_plan(OnUnconvertible::Map);
  in.mapping = &m;
  std::string s = write_fix_plan(in);
  size_t add = at(s, "ADD COLUMN \"userId__fk_guard\" integer");
  size_t fill = at(s, "SET \"userId__fk_guard\" = r.id FROM public.users r WHERE r.legacy_uuid = t.\"userId\"");
  size_t stop = at(s, "have no match");
  size_t drop = at(s, "DROP COLUMN \"userId\"");
  size_t rename = at(s, "RENAME COLUMN \"userId__fk_guard\" TO \"userId\"");
  EXPECT_LT(add, fill);
  EXPECT_LT(fill, stop);
  EXPECT_LT(stop, drop);
  EXPECT_LT(drop, rename);
  EXPECT_EQ(s.find("ALTER COLUMN \"userId\" TYPE"), std::string::npos);
}

TEST(FixPlan, NoConversionWhenTypesAlreadyMatch) {
  PlanInput in = story_plan(OnUnconvertible::Fail);
  in.conversion = "\"userId\"";
  in.conversion_needed = false;
  EXPECT_EQ(write_fix_plan(in).find("TYPE integer"), std::string::npos);
}

TEST(FixPlan, ParsesOptions) {
  OnUnconvertible m;
  EXPECT_TRUE(parse_on_unconvertible("map", &m));
  EXPECT_EQ(m, OnUnconvertible::Map);
  EXPECT_FALSE(parse_on_unconvertible("sometimes", &m));
}

}  // namespace
}  // namespace fkg
