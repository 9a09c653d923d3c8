// The verdict engine's pure half: given the facts PostgreSQL's catalog gives
// about one foreign-key column pair, decide what kind of mismatch it is.
//
// The PostgreSQL half (src/pg/pair_facts.cpp) computes the facts, including
// whether PostgreSQL can build the constraint at all, with the same rule as
// ATAddForeignKeyConstraint. Everything else -- which soft kind, how serious,
// what to say -- is decided here, without PostgreSQL.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fkg {

// Ordered from most to least serious: a pair with several problems is
// reported under the first one in this order.
enum class Kind {
  Incompatible,
  Lossy,
  TimezoneDependent,
  Narrower,
  IndexUnusable,
  Semantic,
  Width,
  Domain,
  Collation,
  None,
};

enum class Severity { Error, Warning, Notice, None };

const char *kind_name(Kind k);
Severity kind_severity(Kind k);
const char *severity_name(Severity s);
// Parses a severity name ("error", "warning", "notice"); returns false if unknown.
bool parse_severity(const std::string &name, Severity *out);

// One side of a key pair, as the catalog describes it.
struct ColumnType {
  uint32_t type_oid = 0;       // declared type (a domain's own oid if a domain)
  int32_t typmod = -1;         // effective typmod (the column's, else the domain's)
  uint32_t collation_oid = 0;  // 0 if not collatable
  std::string display;         // format_type with typmod, e.g. "character varying(36)"
  std::string base;            // typname of the base type, e.g. "varchar", "int4"
  std::string base_display;    // base type with typmod, e.g. "character varying(36)"
  bool builtin = true;         // base type is a built-in type (oid below FirstNormalObjectId)
  std::string domain;          // the domain's display name; empty if not a domain
  std::string collation;       // quoted collation name; empty if not collatable
  bool collation_deterministic = true;
  char category = 0;  // typcategory of the base type ('A' array, 'C' composite, 'R' range, ...)
};

// How the equality PostgreSQL would use for the constraint compares the pair.
enum class Comparison {
  Operator,          // an operator of the index's operator family takes both types
  BinaryCoercion,    // the referencing value is relabelled to the index's input type
  FunctionCoercion,  // the referencing value is converted by a cast function
  None,              // no equality: PostgreSQL refuses the constraint
};

// Why PostgreSQL refuses a pair.
enum class Refusal {
  None,
  NoEquality,                // no equality operator and no implicit coercion (every version)
  NoReferencingEquality,     // the family compares the key type with the referencing type, but not the
                             // referencing type with itself, and no implicit coercion (every version)
  NotBothCollatable,         // PostgreSQL 18+: one key column collatable, the other not
  NondeterministicCollation  // PostgreSQL 18+: different collations, one nondeterministic
};

struct PairFacts {
  ColumnType referencing;
  ColumnType referenced;
  bool accepted = true;             // PostgreSQL's ATAddForeignKeyConstraint rule
  Refusal refusal = Refusal::None;  // when !accepted: why
  Comparison comparison = Comparison::Operator;
  bool referencing_index_usable = true;  // referencing type's default btree family == index family
  std::string opfamily;                  // operator family of the referenced index column
  std::string compared_as;               // the index's input type, e.g. "numeric"
};

struct Problem {
  Kind kind;
  std::string sentence;  // a whole sentence, capitalised, ending with a period
};

struct Verdict {
  Kind kind = Kind::None;
  std::vector<Problem> problems;  // most serious first; empty for identical types

  Severity severity() const { return kind_severity(kind); }
  // The explanation: the primary sentence, then "Also: ..." for the others.
  std::string explanation() const;
  bool has(Kind k) const;
};

Verdict classify(const PairFacts &facts);

// True when two column types are the same type, typmod and collation.
bool identical(const ColumnType &a, const ColumnType &b);

// When the referencing type holds values whose text form is not a key value
// (an array, a composite, a range, a json/jsonb/xml document) and the key is
// not of that kind: why no conversion can make it reference the key, and
// what to do instead. Empty otherwise. A fix must never convert such a
// column to the key's type through its text form.
std::string whole_value_problem(const ColumnType &referencing, const ColumnType &referenced);

}  // namespace fkg
