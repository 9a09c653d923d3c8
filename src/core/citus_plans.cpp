#include "citus_plans.hpp"

#include <algorithm>

#include "no_postgres.hpp"
#include "pair_text.hpp"
#include "sql_writer.hpp"

namespace fkg::citus_plans {

using sql::Ident;

namespace {

// A key dropped before the table is distributed again, added back after
// under its own name and with its whole definition.
ReaddedKey readded(const KeyFacts &f) {
  ReaddedKey k;
  k.table = Ident::checked(f.table);
  k.constraint = Ident::checked(f.constraint);
  k.add_as = k.constraint;
  k.definition = f.definition;
  return k;
}

}  // namespace

std::string refusal_detail(const citus_rules::Refusal &r) { return "Citus: " + r.message + ". " + r.detail; }

std::string refusal_fix(const citus_rules::Refusal &r) {
  sql::Script none;
  none.header(r.hint);
  return none.render(false);
}

void plan_fix(const FixFacts &c, bool mapping, PlanInput *in) {
  if (c.kind == citus_rules::Table::Plain) return;
  CitusPlan &out = in->citus;
  out.kind = c.kind;
  out.referenced_distributed = c.referenced_distributed;
  if (c.distribution_column && (in->conversion_needed || mapping))
    out.reason = "Citus cannot change the type of its distribution column " + in->column.str();
  else if (mapping)
    out.reason =
        "Citus runs ALTER COLUMN ... TYPE on every node, where the temporary function that maps the values does "
        "not exist";
  else
    return;  // converted in place by Citus
  if (c.too_many)
    throw PlanRefused("54000", "no fix plan can distribute " + in->table.str() + " again",
                      "More than 64 foreign keys involve it.");
  citus_rules::Redistribution r;
  r.kind = out.kind;
  r.table = in->table.str();
  r.column = c.dist_column;
  r.colocate_with = c.colocate_with.empty() ? "default" : c.colocate_with;
  r.shard_count = c.shard_count;
  out.redistribute = r;
  const std::string fkcol = in->table.str() + "." + in->column.str();
  for (const KeyFacts &k : c.keys) {
    if (k.references_column && in->conversion_needed)
      throw PlanRefused("0A000", "no fix plan can convert " + fkcol + " while other foreign keys reference it",
                        "Foreign key " + k.constraint + " on " + k.table + " references " + fkcol +
                            ", and its column would need the new type as well.",
                        "Change the column's type together with every column that references it: "
                        "fk_guard.change_key_type_plan().");
    ReaddedKey key = readded(k);
    if (k.on_pair) {
      // Not rebuilt by PostgreSQL any more: added again after, under the name asked for.
      if (in->rename_kept_to) key.add_as = *in->rename_kept_to;
      in->kept_constraint.reset();
      in->rename_kept_to.reset();
    }
    out.keys.push_back(key);
  }
}

std::vector<size_t> plan_key(const std::vector<KeyTable> &tables, bool mapped, KeyPlanInput *in) {
  bool dist_column = false, any = false;
  for (const KeyTable &t : tables) {
    if (t.kind == citus_rules::Table::Plain) continue;
    any = true;
    dist_column = dist_column || t.column_is_distribution;
  }
  std::vector<size_t> done;
  if (!any) return done;
  in->citus.involved = true;
  if (!dist_column && !mapped) return done;  // Citus converts the columns in place
  if (dist_column && mapped)
    in->citus.reason =
        "Citus cannot change the type of a distribution column, which one of these columns is, nor "
        "run ALTER COLUMN ... TYPE through the temporary map function on the other nodes";
  else if (dist_column)
    in->citus.reason = "Citus cannot change the type of a distribution column, which one of these columns is";
  else
    in->citus.reason =
        "Citus runs ALTER COLUMN ... TYPE on every node, where the temporary map function does not "
        "exist";
  const KeyTable &key_table = tables[0];
  const bool key_distributed = key_table.kind == citus_rules::Table::Distributed;
  std::vector<unsigned long long> seen;
  for (size_t i = 0; i < tables.size(); i++) {
    const KeyTable &t = tables[i];
    if (t.kind == citus_rules::Table::Plain) continue;
    if (std::find(seen.begin(), seen.end(), t.rel) != seen.end()) continue;
    if (!t.column_is_distribution && !mapped) continue;
    seen.push_back(t.rel);
    done.push_back(i);
    citus_rules::Redistribution r;
    r.kind = t.kind;
    r.table = t.table;
    r.column = t.dist_column;
    r.shard_count = t.shard_count;
    r.colocate_with = "default";
    // Colocated with the key's table as before (or where the key's type now
    // takes a distribution column that follows it).
    if (i > 0 && key_distributed && t.kind == citus_rules::Table::Distributed &&
        (t.column_is_distribution || t.colocation == key_table.colocation))
      r.colocate_with = key_table.table;
    in->citus.redistribute.push_back(r);
  }
  return done;
}

void add_other_keys(const std::vector<KeyFacts> &keys, bool too_many, KeyPlanInput *in) {
  if (too_many)
    throw PlanRefused("54000", "no key type plan can distribute the tables again",
                      "More than 128 other foreign keys involve them.");
  for (const KeyFacts &f : keys) in->citus.other_keys.push_back(readded(f));
}

}  // namespace fkg::citus_plans
