// The one voice: how a judged key pair is described and fixed, for the
// diagnostic functions and the guard alike.
#pragma once

#include "catalog_pairs.hpp"

namespace fkg {

struct RenderedPair {
  std::string referencing_type;  // with a COLLATE note when the collations differ
  std::string referenced_type;
  std::string detail;         // "sessions."userId" is integer; users.id is bigint. <why>"
  std::string suggested_fix;  // runnable SQL
  bool whole_values = false;  // no conversion can fix the pair (see whole_value_problem)
};

RenderedPair render_pair(const KeyPair &pair, const JudgedPair &judged);

}  // namespace fkg
