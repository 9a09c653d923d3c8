// Collects declared foreign-key column pairs from pg_constraint.
#pragma once

#include "pair_facts.hpp"

namespace fkg {

struct KeyPair {
  Oid constraint = InvalidOid;  // InvalidOid for a pair with no declared constraint
  Oid referencing_rel = InvalidOid;
  AttrNumber referencing_att = 0;
  Oid referenced_rel = InvalidOid;
  AttrNumber referenced_att = 0;
  Oid opclass = InvalidOid;  // btree opclass of the referenced unique index column
  PgColumn referencing, referenced;
};

// Every declared foreign key's column pairs, once per constraint (partition
// clones are skipped: the constraint is reported on the partitioned table),
// in schemas the caller has USAGE on, without other sessions' temp schemas.
std::vector<KeyPair> declared_key_pairs();

// Foreign keys on `rel` whose catalog rows this transaction wrote at or after
// command `since` (the constraints the current statement created or rebuilt).
std::vector<KeyPair> key_pairs_created_since(Oid rel, CommandId since);

// PostgreSQL-side helper (call under pg_guard): the conkey/confkey arrays of a
// pg_constraint tuple; returns the number of key columns, 0 if unusable.
int constraint_key_columns(HeapTuple tup, TupleDesc desc, int16 **fk, int16 **pk);

}  // namespace fkg

namespace fkg {

// A key pair implied by naming (sessions."userId" -> users.id) with no
// declared constraint on the referencing column.
struct ImpliedPair {
  KeyPair pair;
  std::vector<std::string> other_candidates;  // further tables the name could mean
};

// Every implied pair in tables the caller can use. Candidate tables are looked
// up in the referencing table's own schema first, then in `search_path`.
std::vector<ImpliedPair> implied_key_pairs(const std::vector<Oid> &search_path);

}  // namespace fkg

namespace fkg {

// The key a column refers to: through a declared foreign key on it (its
// constraint set), or else implied by its name, looked up the way
// implied_key_pairs() does with the session's search_path. False if neither.
bool key_referenced_by(Oid rel, AttrNumber att, KeyPair *out);

// The same with the search path given (a function with SET search_path no
// longer sees the caller's), and with the pair's operator class for a
// declared key too. other_candidates (may be null): further tables an
// implied name could mean.
bool key_referenced_by(Oid rel, AttrNumber att, const std::vector<Oid> &search_path, KeyPair *out,
                       std::vector<std::string> *other_candidates);

}  // namespace fkg
