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
