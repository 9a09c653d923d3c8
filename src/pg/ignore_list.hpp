// The ignore list: rows of fk_guard.ignored that silence findings (a
// table, a column, a constraint and/or a check; NULL means any). Read once
// per call through SPI as the calling user; check_foreign_keys(),
// diagnose_fk_mismatches(), assert_no_mismatches() and the guard's soft
// warnings respect it.
#pragma once

#include <string>
#include <vector>

#include "boundary.hpp"

namespace fkg {

class IgnoreList {
 public:
  // Reads fk_guard.ignored; empty when the table is not there (an
  // installation still at 1.0 with a newer module) or cannot be read.
  static IgnoreList load();

  // Does an entry cover this finding? columns: the referencing columns.
  bool covers(const char *check, Oid table, const std::vector<std::string> &columns,
              const std::string &constraint) const;
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    Oid table = InvalidOid;                 // InvalidOid: any
    std::string column, constraint, check;  // empty: any
  };
  std::vector<Entry> entries_;
};

}  // namespace fkg
