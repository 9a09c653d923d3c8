// What the diagnostic functions do for Citus tables, from facts either front
// end reads (the extension from Citus's catalog in src/pg, the npm package
// with queries): the row diagnose_fk_mismatches() reports for a key Citus
// refuses, and the part of fix_plan() and change_key_type_plan() that
// distributes a table again. Pure C++ (no PostgreSQL header).
#pragma once

#include <string>
#include <vector>

#include "citus_rules.hpp"
#include "fix_writer.hpp"
#include "key_plan.hpp"

namespace fkg::citus_plans {

// diagnose_fk_mismatches()' detail for a key Citus refuses ("Citus: <its
// message>. <its detail>") and its suggested_fix (the refusal's hint as a
// script of comments only).
std::string refusal_detail(const citus_rules::Refusal &r);
std::string refusal_fix(const citus_rules::Refusal &r);

// What a key type plan says instead of a Citus table's size: its rows are in
// its shards, mostly on other nodes.
inline constexpr const char *kSizeNotRead = "a Citus table, its size on the nodes not read";

// A foreign key that involves a table a plan distributes again: dropped
// first (undistribute_table refuses while it exists) and added again after.
struct KeyFacts {
  std::string table;               // qualified, quoted
  std::string constraint;          // quoted
  std::string definition;          // pg_get_constraintdef(), names schema-qualified
  bool on_pair = false;            // fix plan: the key on exactly the pair being fixed
  bool references_column = false;  // fix plan: another key referencing the column being converted
};

// The referencing table of a fix plan on Citus.
struct FixFacts {
  citus_rules::Table kind = citus_rules::Table::Plain;  // Plain: not a Citus table, nothing to do
  bool distribution_column = false;                     // the column is the table's distribution column
  std::string dist_column;                              // raw; empty: none
  // The table to colocate with when distributed again (qualified, quoted):
  // for a distribution column, the referenced table if it is distributed;
  // otherwise the oldest other table of its colocation group. Empty: 'default'.
  std::string colocate_with;
  bool referenced_distributed = false;
  int shard_count = 0;
  std::vector<KeyFacts> keys;  // keys on the table, then those referencing it (64 at most)
  bool too_many = false;       // more than 64
};

// Fills in->citus (after fix_plan_input()): the kind, and when Citus cannot
// convert the column in place (its distribution column changes type, or a
// mapping goes through a temporary function) the redistribution and the keys
// dropped and added again. Throws PlanRefused when no plan can do it.
void plan_fix(const FixFacts &c, bool mapping, PlanInput *in);

// A table of a key type plan (the key's table, then each referrer's, in the
// order of in->referrers).
struct KeyTable {
  citus_rules::Table kind = citus_rules::Table::Plain;
  std::string table;                    // qualified, quoted
  std::string dist_column;              // raw; empty: none
  bool column_is_distribution = false;  // the plan's column on this table is its distribution column
  unsigned colocation = 0;
  int shard_count = 0;
  unsigned long long rel = 0;  // identifies the table (its oid)
};

// Fills in->citus.involved, reason and redistribute; returns the indices of
// the tables distributed again (one per table), whose other foreign keys the
// caller reads and passes to add_other_keys().
std::vector<size_t> plan_key(const std::vector<KeyTable> &tables, bool mapped, KeyPlanInput *in);

// The other foreign keys of the tables distributed again, each once, without
// the referrers' own (more than 128: too_many, a refusal).
void add_other_keys(const std::vector<KeyFacts> &keys, bool too_many, KeyPlanInput *in);

}  // namespace fkg::citus_plans
