// Unit tests for the guard's statement collection rules (src/core/statement_rules):
// which statements the guard reads, and which ALTER TABLE statements lock the
// partitions before the referenced tables.
#include <gtest/gtest.h>

#include <vector>

#include "statement_rules.hpp"

namespace fkg {
namespace {

using What = StatementPart::What;

StatementPart part(What w, bool fk = false) {
  StatementPart p;
  p.what = w;
  p.foreign_key = fk;
  return p;
}

bool may_add(const std::vector<StatementPart> &v) { return may_add_foreign_keys(v.data(), v.size()); }
bool recurses(const std::vector<StatementPart> &v) { return recurses_before_referenced_tables(v.data(), v.size()); }

TEST(StatementRules, CreateTableIsReadOnlyWithAReference) {
  EXPECT_FALSE(may_add({}));
  EXPECT_FALSE(may_add({part(What::Column), part(What::Column), part(What::TableConstraint)}));
  EXPECT_TRUE(may_add({part(What::Column), part(What::Column, true)}));           // u int REFERENCES users
  EXPECT_TRUE(may_add({part(What::Column), part(What::TableConstraint, true)}));  // FOREIGN KEY (u) ...
  EXPECT_FALSE(may_add({part(What::Other), part(What::TableConstraint)}));        // LIKE, PRIMARY KEY
}

TEST(StatementRules, AlterTableIsReadWhenItAddsOrRebuildsAKey) {
  EXPECT_FALSE(may_add({part(What::AddColumn), part(What::AddConstraint), part(What::Other)}));
  EXPECT_TRUE(may_add({part(What::AddColumn, true)}));      // ADD COLUMN u int REFERENCES users
  EXPECT_TRUE(may_add({part(What::AddConstraint, true)}));  // ADD FOREIGN KEY
  // ALTER COLUMN TYPE rebuilds the keys on the column, on either side.
  EXPECT_TRUE(may_add({part(What::AlterColumnType)}));
  EXPECT_TRUE(may_add({part(What::Other), part(What::AlterColumnType)}));
  // A part that is not a constraint or column never counts, whatever its flag.
  EXPECT_FALSE(may_add({part(What::Other, true)}));
}

TEST(StatementRules, AddColumnAndAlterColumnTypeLockPartitionsFirst) {
  EXPECT_TRUE(recurses({part(What::AddColumn, true)}));
  EXPECT_TRUE(recurses({part(What::AddColumn)}));
  EXPECT_TRUE(recurses({part(What::AddConstraint, true), part(What::AlterColumnType)}));
  // A plain ADD FOREIGN KEY locks the referenced table first, as PostgreSQL does.
  EXPECT_FALSE(recurses({part(What::AddConstraint, true)}));
  EXPECT_FALSE(recurses({part(What::Other), part(What::AddConstraint)}));
  EXPECT_FALSE(recurses({}));
}

}  // namespace
}  // namespace fkg
