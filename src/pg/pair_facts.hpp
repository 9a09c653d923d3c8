// The verdict engine's PostgreSQL half: reads the catalog facts about one key
// pair, including PostgreSQL's own accept/refuse rule, and hands them to the
// pure classifier. Both front doors (diagnostics, guard) go through here.
#pragma once

#include "boundary.hpp"
#include "../core/fix_writer.hpp"
#include "../core/verdict.hpp"
#include "../core/guard_text.hpp"  // type_with_collation_note

namespace fkg {

struct PgColumn {
  Oid type = InvalidOid;
  int32 typmod = -1;
  Oid collation = InvalidOid;
};

struct JudgedPair {
  PairFacts facts;
  Verdict verdict;
  Conversion conversion = Conversion::None;  // referencing type -> referenced type
  // When PostgreSQL refuses the pair (kind incompatible): its SQLSTATE, and
  // whether it is the key columns' collations (18+) rather than their types.
  int sqlstate = ERRCODE_DATATYPE_MISMATCH;
  bool collation_refusal = false;
};

// Judges one key pair: the referencing column against the referenced column
// whose unique index uses btree operator class `opclass`.
JudgedPair judge_pair(const PgColumn &referencing, const PgColumn &referenced, Oid opclass);

// True when judge_pair() would find nothing to say about the pair (the two
// columns have the same type, typmod and collation, and PostgreSQL accepts
// them), decided without formatting any name. False means "judge it".
bool pair_is_clean(const PgColumn &referencing, const PgColumn &referenced, Oid opclass);

// The operator class a new primary key on a column of this type would use;
// raises PostgreSQL's own error if the type has none.
Oid default_btree_opclass(Oid type);

}  // namespace fkg
