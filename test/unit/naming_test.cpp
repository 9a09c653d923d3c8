// Unit tests for the naming conventions that imply foreign keys.
#include <gtest/gtest.h>

#include <algorithm>

#include "naming.hpp"

namespace fkg {
namespace {

struct StemCase {
  const char *column;
  const char *stem;  // nullptr: no stem
};

class Stems : public ::testing::TestWithParam<StemCase> {};

TEST_P(Stems, Extracted) {
  const StemCase &c = GetParam();
  std::optional<std::string> s = reference_stem(c.column);
  if (c.stem == nullptr) {
    EXPECT_FALSE(s.has_value()) << c.column << " -> " << s.value_or("");
  } else {
    ASSERT_TRUE(s.has_value()) << c.column;
    EXPECT_EQ(*s, c.stem);
  }
}

const StemCase kStems[] = {
    {"userId", "user"},
    {"user_id", "user"},
    {"UserId", "User"},
    {"userID", "user"},
    {"userid", "user"},
    {"USER_ID", "USER"},
    {"categoryId", "category"},
    {"personId", "person"},
    {"order_item_id", "order_item"},
    {"id", nullptr},
    {"ID", nullptr},
    {"_id", nullptr},
    {"name", nullptr},
    {"email", nullptr},
    {"uuid", nullptr},
    {"paid", nullptr},
    {"valid", nullptr},
    {"orderid", "order"},
    {"ORDERID", "ORDER"},
    // Run together, a stem of three letters or fewer is not trusted (issue 19).
    // Words that merely end in "id", with stems long enough to be trusted otherwise.
    {"invalid", nullptr},
    {"android", nullptr},
    {"pyramid", nullptr},
    {"Liquid", nullptr},
    {"catid", nullptr},
    {"CATID", nullptr},
    {"cat_id", "cat"},
    {"catId", "cat"},
};
INSTANTIATE_TEST_SUITE_P(Columns, Stems, ::testing::ValuesIn(kStems));

bool contains(const std::vector<std::string> &v, const std::string &s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(CandidateTables, UserMeansUsersAndUserInEveryCase) {
  auto c = candidate_tables("user");
  for (const char *t : {"users", "user", "Users", "User"}) EXPECT_TRUE(contains(c, t)) << t;
  EXPECT_EQ(c.front(), "users");  // the plural is the most likely table name
}

TEST(CandidateTables, CapitalisedStem) {
  auto c = candidate_tables("User");
  for (const char *t : {"Users", "User", "users", "user"}) EXPECT_TRUE(contains(c, t)) << t;
}

TEST(CandidateTables, EnglishPlurals) {
  EXPECT_TRUE(contains(candidate_tables("category"), "categories"));
  EXPECT_TRUE(contains(candidate_tables("person"), "people"));
  EXPECT_TRUE(contains(candidate_tables("address"), "addresses"));
  EXPECT_TRUE(contains(candidate_tables("box"), "boxes"));
  EXPECT_TRUE(contains(candidate_tables("key"), "keys"));
  EXPECT_FALSE(contains(candidate_tables("key"), "keies"));
  EXPECT_TRUE(contains(candidate_tables("order_item"), "order_items"));
}

TEST(CandidateTables, NoDuplicates) {
  auto c = candidate_tables("user");
  std::vector<std::string> sorted = c;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end());
}

// Django names tables "<app label>_<model>": a column of shop_session that
// points at "user" means shop_user before users.
TEST(CandidateTablesOfTable, DjangoAppLabelFirst) {
  auto c = candidate_tables("user", "shop_session");
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(c.front(), "shop_user");
  for (const char *t : {"users", "user", "Users", "User", "auth_user"}) EXPECT_TRUE(contains(c, t)) << t;
  EXPECT_EQ(c.back(), "auth_user");  // Django's own user model, last
}

TEST(CandidateTablesOfTable, CamelCaseStemAndModelNamesRunTogether) {
  // "userId" gives the stem "user"; UserProfile's table is shop_userprofile.
  EXPECT_EQ(candidate_tables("User", "shop_session").front(), "shop_user");
  auto c = candidate_tables("user_profile", "shop_order");
  EXPECT_EQ(c[0], "shop_user_profile");
  EXPECT_EQ(c[1], "shop_userprofile");
}

TEST(CandidateTablesOfTable, EveryUnderscoreMayEndTheAppLabel) {
  auto c = candidate_tables("user", "my_shop_session");
  ASSERT_GE(c.size(), 2u);
  EXPECT_EQ(c[0], "my_shop_user");
  EXPECT_EQ(c[1], "my_user");
}

TEST(CandidateTablesOfTable, NoPrefixWithoutUnderscoreAndNoAuthForOtherStems) {
  EXPECT_EQ(candidate_tables("user", "sessions"), [] {
    auto v = candidate_tables("user");
    v.push_back("auth_user");
    return v;
  }());
  EXPECT_EQ(candidate_tables("order", "line"), candidate_tables("order"));
  EXPECT_FALSE(contains(candidate_tables("user", "shop_"), "shop_user"));
  EXPECT_FALSE(contains(candidate_tables("user", "_session"), "_user"));
  auto c = candidate_tables("user", "shop_session");
  std::vector<std::string> sorted = c;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end());
}

}  // namespace
}  // namespace fkg
