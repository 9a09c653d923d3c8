// Foreign-key hygiene beyond types: duplicated and overlapping keys, keys
// without a supporting index on the referencing side, multi-column keys with
// a nullable column under MATCH SIMPLE, and keys never validated. Pure C++:
// the catalog facts come in, findings (with their fix SQL, through the one
// SQL writer) go out. Unit-tested in test/unit/hygiene_test.cpp.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sql_writer.hpp"

namespace fkg {

struct HygieneKey {
  uint32_t id = 0;                                               // the constraint's OID
  uint32_t table = 0;                                            // referencing table OID
  uint32_t referenced = 0;                                       // referenced table OID
  std::vector<int> columns, referenced_columns;                  // attnums, paired by position
  std::vector<std::string> column_names;                         // quoted
  std::vector<std::string> raw_columns, raw_referenced_columns;  // as stored
  std::vector<bool> nullable;                                    // per referencing column
  std::string table_name, referenced_name;                       // qualified, quoted
  std::string name;                                              // quoted
  std::string raw_name;                                          // as stored
  char match = 's';                                              // 's' simple, 'f' full
  bool validated = true;
  bool enforced = true;      // false: NOT ENFORCED (PostgreSQL 18), checks nothing
  bool partitioned = false;  // the referencing table is partitioned
  long long rows = -1;       // estimated rows of the referencing table
  std::string size;          // its size, as pg_size_pretty prints it
};

struct HygieneIndex {
  uint32_t table = 0;
  std::vector<int> key_columns;  // attnums of the key columns, in order; 0 for an expression
  bool usable = true;            // valid, not partial
};

struct HygieneFinding {
  std::string check;  // duplicate, overlapping, unindexed, nullable_match_simple, not_validated
  std::string severity;
  const HygieneKey *key = nullptr;
  std::string detail;
  std::string suggested_fix;
};

// Do two foreign keys on the same table, referencing the same table, do the
// same work? Only when both are enforced and they pair the same referencing
// columns with the same referenced columns, in any order of the pairs. One
// rule for the guard (columns by name, the table may not exist yet) and for
// check_foreign_keys() (columns by attnum). A NOT ENFORCED key (PostgreSQL
// 18) checks nothing, so it duplicates nothing and nothing duplicates it.
template <class Column>
bool same_key_work(bool enforced_a, std::vector<std::pair<Column, Column>> a, bool enforced_b,
                   std::vector<std::pair<Column, Column>> b) {
  if (!enforced_a || !enforced_b || a.size() != b.size()) return false;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

// The checks, by name, in report order.
const std::vector<std::string> &hygiene_checks();

// Every finding over these keys and indexes. `checks` empty: all of them.
// NOT ENFORCED keys have no triggers, need no index and cannot be validated:
// no finding is about them.
std::vector<HygieneFinding> check_hygiene(const std::vector<HygieneKey> &keys, const std::vector<HygieneIndex> &indexes,
                                          const std::vector<std::string> &checks);

}  // namespace fkg
