// Unit tests for the binary key set of the orphan check (src/core/key_set.cpp).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <stdexcept>
#include <vector>

#include "key_set.hpp"

namespace fkg {
namespace {

TEST(BinaryKeySet, RejectsWidths) {
  EXPECT_THROW(BinaryKeySet(0), std::invalid_argument);
  EXPECT_THROW(BinaryKeySet(17), std::invalid_argument);
  EXPECT_NO_THROW(BinaryKeySet(1));
  EXPECT_NO_THROW(BinaryKeySet(16));
}

TEST(BinaryKeySet, NothingBeforeFinishNoInsertAfter) {
  BinaryKeySet set(4);
  int32_t k = 5;
  set.insert(&k);
  EXPECT_FALSE(set.contains(&k));
  set.finish();
  EXPECT_TRUE(set.contains(&k));
  EXPECT_THROW(set.insert(&k), std::logic_error);
}

TEST(BinaryKeySet, EmptySet) {
  BinaryKeySet set(8);
  set.finish();
  int64_t zero = 0, one = 1;
  EXPECT_FALSE(set.contains(&zero));
  EXPECT_FALSE(set.contains(&one));
  EXPECT_EQ(set.size(), 0u);
}

// Dense integer keys (a sequence's) go to a bitmap, duplicates counted once.
TEST(BinaryKeySet, DenseKeysUseTheBitmap) {
  for (int32_t base : {-5000, -19999, 0, 1, 2147483647 - 19999}) {
    BinaryKeySet set(4);
    for (int pass = 0; pass < 2; pass++)
      for (int32_t i = 0; i < 20000; i++)
        if (i % 10 != 7) {
          int32_t k = base + i;
          set.insert(&k);
        }
    set.finish();
    EXPECT_TRUE(set.uses_bitmap()) << base;
    EXPECT_EQ(set.size(), 18000u) << base;
    for (int64_t i = -100; i < 20100; i++) {
      int64_t v = (int64_t)base + i;
      if (v > INT32_MAX || v < INT32_MIN) continue;
      int32_t k = (int32_t)v;
      EXPECT_EQ(set.contains(&k), i >= 0 && i < 20000 && i % 10 != 7) << base << " " << i;
    }
    int32_t lo = INT32_MIN, hi = INT32_MAX;
    EXPECT_EQ(set.contains(&lo), false);
    EXPECT_EQ(set.contains(&hi), base == 2147483647 - 19999);
  }
}

TEST(BinaryKeySet, SparseKeysAreHashed) {
  BinaryKeySet set(8);
  int64_t keys[] = {INT64_MIN, -1, 0, 1, INT64_MAX, 0, -1};
  for (int64_t k : keys) set.insert(&k);
  set.finish();
  EXPECT_FALSE(set.uses_bitmap());
  EXPECT_EQ(set.size(), 5u);
  for (int64_t k : keys) EXPECT_TRUE(set.contains(&k)) << k;
  int64_t others[] = {INT64_MIN + 1, -2, 2, INT64_MAX - 1};
  for (int64_t k : others) EXPECT_FALSE(set.contains(&k)) << k;
}

// One-byte keys (bool, "char") and 8-byte keys spanning zero.
TEST(BinaryKeySet, SmallWidthsAndNegativeRanges) {
  BinaryKeySet b(1);
  unsigned char t = 1, f = 0, x = 0xff;
  b.insert(&t);
  b.finish();
  EXPECT_TRUE(b.uses_bitmap());
  EXPECT_TRUE(b.contains(&t));
  EXPECT_FALSE(b.contains(&f));
  EXPECT_FALSE(b.contains(&x));

  BinaryKeySet w(8);
  for (int64_t k = -1000; k <= 1000; k += 3) w.insert(&k);
  w.finish();
  EXPECT_TRUE(w.uses_bitmap());
  for (int64_t k = -1010; k <= 1010; k++)
    EXPECT_EQ(w.contains(&k), k >= -1000 && k <= 1000 && (k + 1000) % 3 == 0) << k;
}

// Only `width` bytes are read: what follows a key does not matter.
TEST(BinaryKeySet, ReadsOnlyTheWidth) {
  for (bool sparse : {false, true}) {
    BinaryKeySet set(6);
    unsigned char a[16] = {1, 2, 3, 4, 5, 6, 7, 8};
    unsigned char b[16] = {1, 2, 3, 4, 5, 6, 9, 9};
    unsigned char c[16] = {1, 2, 3, 4, 5, 7, 7, 8};
    unsigned char far[16] = {0, 0, 0, 0, 0, 0x80};
    set.insert(a);
    if (sparse) set.insert(far);
    set.finish();
    EXPECT_EQ(set.uses_bitmap(), !sparse);
    EXPECT_TRUE(set.contains(b));
    EXPECT_FALSE(set.contains(c));
  }
}

// 16-byte keys (uuid) that differ only in their last bytes, the all-zero key
// among them, against std::set.
TEST(BinaryKeySet, WideKeysAgainstStdSet) {
  BinaryKeySet set(16);
  std::set<std::vector<unsigned char>> model;
  std::mt19937_64 rng(42);
  std::vector<std::vector<unsigned char>> probes;
  for (int i = 0; i < 200000; i++) {
    std::vector<unsigned char> k(16, 0);
    uint64_t r = rng() % 300000;
    std::memcpy(k.data() + 8, &r, 8);  // first half all zero
    if (i % 3 == 0) {
      set.insert(k.data());
      model.insert(k);
    }
    probes.push_back(k);
  }
  set.finish();
  EXPECT_FALSE(set.uses_bitmap());
  EXPECT_EQ(set.size(), model.size());
  for (const auto &k : probes) EXPECT_EQ(set.contains(k.data()), model.count(k) == 1);
}

}  // namespace
}  // namespace fkg
