#include "statement_rules.hpp"

#include "no_postgres.hpp"

namespace fkg {

bool may_add_foreign_keys(const StatementPart *parts, size_t n) noexcept {
  for (size_t i = 0; i < n; i++) {
    const StatementPart &p = parts[i];
    switch (p.what) {
      case StatementPart::What::AlterColumnType:
        return true;
      case StatementPart::What::Column:
      case StatementPart::What::TableConstraint:
      case StatementPart::What::AddColumn:
      case StatementPart::What::AddConstraint:
        if (p.foreign_key) return true;
        break;
      case StatementPart::What::Other:
        break;
    }
  }
  return false;
}

bool recurses_before_referenced_tables(const StatementPart *parts, size_t n) noexcept {
  for (size_t i = 0; i < n; i++)
    if (parts[i].what == StatementPart::What::AddColumn || parts[i].what == StatementPart::What::AlterColumnType)
      return true;
  return false;
}

}  // namespace fkg
