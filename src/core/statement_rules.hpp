// The guard's statement collection rules, on the shape of a statement's
// parts (no parse tree): which statements may add foreign keys, and which
// ALTER TABLE statements lock a table's partitions and inheritance children
// before any referenced table (the lock order the guard must keep).
// Pure C++, unit-tested in test/unit/statement_rules_test.cpp. noexcept and
// allocation-free: src/pg/guard_collect.cpp calls them inside pg_guard.
#pragma once

#include <cstddef>

namespace fkg {

// One element of CREATE TABLE (a column or a table constraint) or one
// subcommand of ALTER TABLE, reduced to what the rules need.
struct StatementPart {
  enum class What {
    Column,           // CREATE TABLE: a column definition
    TableConstraint,  // CREATE TABLE: a table constraint
    AddColumn,        // ALTER TABLE ... ADD COLUMN
    AddConstraint,    // ALTER TABLE ... ADD CONSTRAINT / ADD FOREIGN KEY
    AlterColumnType,  // ALTER TABLE ... ALTER COLUMN ... TYPE
    Other,            // anything else (LIKE, DROP, SET ...)
  };
  What what = What::Other;
  bool foreign_key = false;  // a FOREIGN KEY constraint, or a column with REFERENCES
};

// Whether a statement made of these parts may add or rebuild a foreign key:
// a column or table constraint with REFERENCES, ADD COLUMN ... REFERENCES,
// ADD FOREIGN KEY, or ALTER COLUMN TYPE (which rebuilds the keys on the
// column, on either side). The guard reads nothing else.
bool may_add_foreign_keys(const StatementPart *parts, size_t n) noexcept;

// Whether ALTER TABLE with these subcommands recurses to inheritors and
// partitions in its preparation phase (ADD COLUMN, ALTER COLUMN TYPE), and so
// locks them all before any referenced table.
bool recurses_before_referenced_tables(const StatementPart *parts, size_t n) noexcept;

}  // namespace fkg
