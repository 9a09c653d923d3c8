// The hygiene checks on catalog facts given directly: each check finds what
// it should, and nothing on keys that are fine.
#include <gtest/gtest.h>

#include "hygiene.hpp"

namespace fkg {
namespace {

HygieneKey key(uint32_t id, uint32_t table, std::vector<int> cols, uint32_t ref, std::vector<int> refcols,
               const char *name) {
  HygieneKey k;
  k.id = id;
  k.table = table;
  k.referenced = ref;
  k.columns = cols;
  k.referenced_columns = refcols;
  for (int c : cols) {
    k.column_names.push_back("c" + std::to_string(c));
    k.raw_columns.push_back("c" + std::to_string(c));
    k.nullable.push_back(false);
  }
  k.table_name = "public.t" + std::to_string(table);
  k.referenced_name = "public.r" + std::to_string(ref);
  k.name = name;
  k.raw_name = name;
  return k;
}

HygieneIndex index_on(uint32_t table, std::vector<int> cols, bool usable = true) {
  HygieneIndex ix;
  ix.table = table;
  ix.key_columns = cols;
  ix.usable = usable;
  return ix;
}

std::vector<std::string> checks_of(const std::vector<HygieneFinding> &f) {
  std::vector<std::string> out;
  for (const HygieneFinding &x : f) out.push_back(x.check + ":" + x.key->name);
  return out;
}

TEST(Hygiene, CleanKeysReportNothing) {
  std::vector<HygieneKey> keys = {key(1, 10, {2}, 20, {1}, "k1"), key(2, 11, {1, 2}, 21, {1, 2}, "k2")};
  std::vector<HygieneIndex> ix = {index_on(10, {2, 5}), index_on(11, {2, 1})};  // any order of the leading columns
  EXPECT_TRUE(check_hygiene(keys, ix, {}).empty());
}

TEST(Hygiene, DuplicateIsTheLaterKey) {
  std::vector<HygieneKey> keys = {key(1, 10, {2}, 20, {1}, "k"), key(2, 10, {2}, 20, {1}, "k1")};
  std::vector<HygieneIndex> ix = {index_on(10, {2})};
  EXPECT_EQ(checks_of(check_hygiene(keys, ix, {})), std::vector<std::string>{"duplicate:k1"});
}

TEST(Hygiene, SamePairsInAnotherOrderAreADuplicate) {
  std::vector<HygieneKey> keys = {key(1, 10, {2, 3}, 20, {1, 2}, "a"), key(2, 10, {3, 2}, 20, {2, 1}, "b")};
  std::vector<HygieneIndex> ix = {index_on(10, {2, 3})};
  EXPECT_EQ(checks_of(check_hygiene(keys, ix, {})), std::vector<std::string>{"duplicate:b"});
}

// PostgreSQL 18's NOT ENFORCED keys have no triggers: beside an enforced key
// they are no duplicate, without an index they slow nothing, and NOT VALID is
// all they can be. No finding names them.
TEST(Hygiene, NotEnforcedKeysAreNoFinding) {
  HygieneKey doc = key(2, 10, {2}, 20, {1}, "doc");
  doc.enforced = false;
  doc.validated = false;
  HygieneKey doc2 = doc;
  doc2.id = 3;
  doc2.name = doc2.raw_name = "doc2";
  std::vector<HygieneKey> keys = {key(1, 10, {2}, 20, {1}, "k"), doc, doc2};
  EXPECT_EQ(checks_of(check_hygiene(keys, {}, {})), std::vector<std::string>{"unindexed:k"});
  EXPECT_TRUE(check_hygiene({doc, doc2}, {}, {}).empty());
}

TEST(Hygiene, SameKeyWorkIsOneRuleForNamesAndAttnums) {
  using Named = std::vector<std::pair<std::string, std::string>>;
  EXPECT_TRUE(same_key_work(true, Named{{"a", "x"}, {"b", "y"}}, true, Named{{"b", "y"}, {"a", "x"}}));
  EXPECT_FALSE(same_key_work(true, Named{{"a", "x"}, {"b", "y"}}, true, Named{{"a", "y"}, {"b", "x"}}));
  EXPECT_FALSE(same_key_work(true, Named{{"a", "x"}}, true, Named{{"a", "x"}, {"b", "y"}}));
  EXPECT_FALSE(same_key_work(false, Named{{"a", "x"}}, true, Named{{"a", "x"}}));
  EXPECT_FALSE(same_key_work(true, Named{{"a", "x"}}, false, Named{{"a", "x"}}));
  using Numbered = std::vector<std::pair<int, int>>;
  EXPECT_TRUE(same_key_work(true, Numbered{{3, 1}, {2, 2}}, true, Numbered{{2, 2}, {3, 1}}));
}

TEST(Hygiene, OverlappingPairedDifferentlyOrAPrefix) {
  std::vector<HygieneKey> keys = {key(1, 10, {2, 3}, 20, {1, 2}, "ep"), key(2, 10, {3, 2}, 20, {1, 2}, "pe"),
                                  key(3, 11, {2}, 20, {1}, "one"), key(4, 11, {2, 3}, 20, {1, 2}, "two")};
  std::vector<HygieneIndex> ix = {index_on(10, {2, 3}), index_on(11, {2, 3})};
  EXPECT_EQ(checks_of(check_hygiene(keys, ix, {})), (std::vector<std::string>{"overlapping:pe", "overlapping:two"}));
}

TEST(Hygiene, UnindexedUnlessLeadingColumnsMatch) {
  std::vector<HygieneKey> keys = {key(1, 10, {2}, 20, {1}, "k")};
  EXPECT_EQ(checks_of(check_hygiene(keys, {index_on(10, {5, 2})}, {})), std::vector<std::string>{"unindexed:k"});
  EXPECT_EQ(checks_of(check_hygiene(keys, {index_on(10, {2}, false)}, {})), std::vector<std::string>{"unindexed:k"});
  EXPECT_TRUE(check_hygiene(keys, {index_on(10, {2, 5})}, {}).empty());
  std::vector<HygieneFinding> f = check_hygiene(keys, {}, {});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].suggested_fix, "CREATE INDEX CONCURRENTLY ON public.t10 (c2);");
  EXPECT_NE(f[0].detail.find("cannot run inside a transaction block"), std::string::npos);
}

TEST(Hygiene, NullableMatchSimpleOnlyForMultiColumnKeys) {
  std::vector<HygieneKey> keys = {key(1, 10, {2, 3}, 20, {1, 2}, "multi"), key(2, 11, {2}, 20, {1}, "single")};
  keys[0].nullable = {false, true};
  keys[1].nullable = {true};
  std::vector<HygieneIndex> ix = {index_on(10, {2, 3}), index_on(11, {2})};
  std::vector<HygieneFinding> f = check_hygiene(keys, ix, {});
  EXPECT_EQ(checks_of(f), std::vector<std::string>{"nullable_match_simple:multi"});
  EXPECT_EQ(f[0].suggested_fix, "ALTER TABLE public.t10 ALTER COLUMN c3 SET NOT NULL;");
  keys[0].match = 'f';
  EXPECT_TRUE(check_hygiene(keys, ix, {}).empty());
}

TEST(Hygiene, NotValidatedAndTheChecksFilter) {
  std::vector<HygieneKey> keys = {key(1, 10, {2}, 20, {1}, "k")};
  keys[0].validated = false;
  EXPECT_EQ(checks_of(check_hygiene(keys, {}, {})), (std::vector<std::string>{"unindexed:k", "not_validated:k"}));
  EXPECT_EQ(checks_of(check_hygiene(keys, {}, {"not_validated"})), std::vector<std::string>{"not_validated:k"});
  EXPECT_TRUE(check_hygiene(keys, {}, {"type_mismatch"}).empty());
}

TEST(Hygiene, HostileNamesAreQuotedOrRefused) {
  std::vector<HygieneKey> keys = {key(1, 10, {2}, 20, {1}, "k")};
  keys[0].table_name = "public.\"t; DROP TABLE x\"";
  keys[0].column_names = {"\"a\"\"b\""};
  std::vector<HygieneFinding> f = check_hygiene(keys, {}, {"unindexed"});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].suggested_fix, "CREATE INDEX CONCURRENTLY ON public.\"t; DROP TABLE x\" (\"a\"\"b\");");
  keys[0].table_name = "t; DROP TABLE x";
  EXPECT_THROW(check_hygiene(keys, {}, {"unindexed"}), std::invalid_argument);
}

}  // namespace
}  // namespace fkg
